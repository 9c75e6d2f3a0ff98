//! # Grid and graph problems
//!
//! Number of islands, course schedule, spiral matrix, rotate image: flood fill, topological
//! order, and walking a matrix by shrinking boundaries.
//!
//! ## Break it
//! `breaks/grids_and_graphs.patch` makes [`num_islands`]' flood fill also spread diagonally.
//! `islands_are_four_connected_land` fails: two cells touching only at a corner become one
//! island (`"10" / "01"` counts 1 instead of 2).

use std::collections::VecDeque;

/// **Number of islands.** In a grid of `'1'` (land) and `'0'` (water), count the islands:
/// groups of land cells connected up, down, left or right.
///
/// **Insight:** scan the grid; each land cell not yet seen starts a new island, and a flood
/// fill (DFS or BFS) marks everything connected to it so it is not counted again.
///
/// **Complexity:** `O(rows × cols)` time and space. The flood fill uses an explicit stack:
/// a recursive one can overflow on a large all-land grid.
pub fn num_islands(grid: &[&str]) -> usize {
    let land: Vec<Vec<bool>> = grid.iter().map(|row| row.bytes().map(|c| c == b'1').collect()).collect();
    let mut seen: Vec<Vec<bool>> = land.iter().map(|row| vec![false; row.len()]).collect();
    let mut islands = 0;
    for row in 0..land.len() {
        for col in 0..land[row].len() {
            if !land[row][col] || seen[row][col] {
                continue;
            }
            islands += 1;
            seen[row][col] = true;
            let mut stack = vec![(row, col)];
            while let Some((r, c)) = stack.pop() {
                // wrapping_sub sends "row -1" to usize::MAX, which the bounds check rejects.
                let neighbours = [(r.wrapping_sub(1), c), (r + 1, c), (r, c.wrapping_sub(1)), (r, c + 1)];
                for (nr, nc) in neighbours {
                    let is_land = land.get(nr).and_then(|cells| cells.get(nc)).copied().unwrap_or(false);
                    if is_land && !seen[nr][nc] {
                        seen[nr][nc] = true;
                        stack.push((nr, nc));
                    }
                }
            }
        }
    }
    islands
}

/// **Course schedule.** `num_courses` courses and pairs `(course, prerequisite)`: can every
/// course be taken? Returns an order in which to take them, or `None` if the prerequisites
/// contain a cycle.
///
/// **Insight:** prerequisites form a directed graph `prerequisite → course`; all courses can be
/// finished iff it has no cycle. Kahn's algorithm: repeatedly take a course with no remaining
/// prerequisites; if some are never freed, they are on or behind a cycle.
///
/// **Complexity:** `O(V + E)` time and space.
pub fn course_order(num_courses: usize, prerequisites: &[(usize, usize)]) -> Option<Vec<usize>> {
    let mut unlocks: Vec<Vec<usize>> = vec![Vec::new(); num_courses];
    let mut missing = vec![0usize; num_courses];
    for &(course, prerequisite) in prerequisites {
        unlocks[prerequisite].push(course);
        missing[course] += 1;
    }
    let mut ready: VecDeque<usize> = (0..num_courses).filter(|&c| missing[c] == 0).collect();
    let mut order = Vec::with_capacity(num_courses);
    while let Some(course) = ready.pop_front() {
        order.push(course);
        for &next in &unlocks[course] {
            missing[next] -= 1;
            if missing[next] == 0 {
                ready.push_back(next);
            }
        }
    }
    (order.len() == num_courses).then_some(order)
}

/// Course schedule I: whether all courses can be finished.
pub fn can_finish(num_courses: usize, prerequisites: &[(usize, usize)]) -> bool {
    course_order(num_courses, prerequisites).is_some()
}

/// **Spiral matrix.** The elements of a rectangular matrix in clockwise spiral order.
///
/// **Insight:** keep four boundaries (top, bottom, left, right); walk the top row, the right
/// column, the bottom row backwards, the left column upwards, shrinking a boundary after each.
/// Check before the bottom row and left column that a row/column remains, or a single
/// remaining row or column is walked twice.
///
/// **Complexity:** `O(rows × cols)` time, `O(1)` extra space.
pub fn spiral_order(matrix: &[Vec<i32>]) -> Vec<i32> {
    let mut out = Vec::with_capacity(matrix.iter().map(Vec::len).sum());
    let Some(cols) = matrix.first().map(Vec::len) else {
        return out;
    };
    debug_assert!(matrix.iter().all(|row| row.len() == cols), "the matrix must be rectangular");
    // Half-open bounds: rows top..bottom and columns left..right remain.
    let (mut top, mut bottom, mut left, mut right) = (0, matrix.len(), 0, cols);
    while top < bottom && left < right {
        out.extend((left..right).map(|c| matrix[top][c]));
        top += 1;
        out.extend((top..bottom).map(|r| matrix[r][right - 1]));
        right -= 1;
        if top < bottom {
            out.extend((left..right).rev().map(|c| matrix[bottom - 1][c]));
            bottom -= 1;
        }
        if left < right {
            out.extend((top..bottom).rev().map(|r| matrix[r][left]));
            left += 1;
        }
    }
    out
}

/// **Rotate image.** Rotate a square matrix 90° clockwise in place.
///
/// **Insight:** a clockwise rotation is a transpose (swap across the main diagonal) followed by
/// reversing each row. No extra matrix needed.
///
/// **Complexity:** `O(n²)` time, `O(1)` extra space.
pub fn rotate_clockwise(matrix: &mut [Vec<i32>]) {
    let n = matrix.len();
    assert!(matrix.iter().all(|row| row.len() == n), "rotate_clockwise needs a square matrix");
    for r in 0..n {
        for c in r + 1..n {
            let (upper, lower) = matrix.split_at_mut(c);
            std::mem::swap(&mut upper[r][c], &mut lower[0][r]);
        }
    }
    for row in matrix.iter_mut() {
        row.reverse();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn islands_are_four_connected_land() {
        let cases: [(&[&str], usize); 7] = [
            (&["11110", "11010", "11000", "00000"], 1),
            (&["11000", "11000", "00100", "00011"], 3),
            (&["10", "01"], 2), // corners do not connect
            (&["111", "101", "111"], 1),
            (&["0"], 0),
            (&[], 0),
            (&["1"], 1),
        ];
        for (grid, expected) in cases {
            assert_eq!(num_islands(grid), expected, "{grid:?}");
        }
    }

    #[test]
    fn course_schedule_orders_courses_after_their_prerequisites() {
        let cases: [((usize, &[(usize, usize)]), Option<Vec<usize>>); 6] = [
            ((2, &[(1, 0)]), Some(vec![0, 1])),
            ((2, &[(1, 0), (0, 1)]), None),
            ((4, &[(1, 0), (2, 0), (3, 1), (3, 2)]), Some(vec![0, 1, 2, 3])),
            ((3, &[]), Some(vec![0, 1, 2])),
            ((1, &[(0, 0)]), None), // a course that requires itself
            ((0, &[]), Some(vec![])),
        ];
        for ((n, prerequisites), expected) in cases {
            assert_eq!(course_order(n, prerequisites), expected, "{prerequisites:?}");
            assert_eq!(can_finish(n, prerequisites), expected.is_some());
        }
    }

    #[test]
    fn spiral_walks_each_element_once_even_for_thin_matrices() {
        let cases: [(Vec<Vec<i32>>, Vec<i32>); 6] = [
            (vec![vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]], vec![1, 2, 3, 6, 9, 8, 7, 4, 5]),
            (
                vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8], vec![9, 10, 11, 12]],
                vec![1, 2, 3, 4, 8, 12, 11, 10, 9, 5, 6, 7],
            ),
            (vec![vec![1, 2, 3]], vec![1, 2, 3]),
            (vec![vec![1], vec![2], vec![3]], vec![1, 2, 3]),
            (vec![vec![-1]], vec![-1]),
            (vec![], vec![]),
        ];
        for (matrix, expected) in cases {
            assert_eq!(spiral_order(&matrix), expected, "{matrix:?}");
        }
    }

    #[test]
    fn rotate_is_transpose_then_reverse_rows() {
        let cases: [(Vec<Vec<i32>>, Vec<Vec<i32>>); 4] = [
            (vec![vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]], vec![vec![7, 4, 1], vec![8, 5, 2], vec![9, 6, 3]]),
            (vec![vec![1, 2], vec![3, 4]], vec![vec![3, 1], vec![4, 2]]),
            (vec![vec![5]], vec![vec![5]]),
            (vec![], vec![]),
        ];
        for (mut matrix, expected) in cases {
            rotate_clockwise(&mut matrix);
            assert_eq!(matrix, expected);
        }
    }
}
