#!/usr/bin/env bash
# Bundles the run viewer (lab/view/src/*.js and the d3 modules it imports, from npm) into
# lab/view/dist/view.js, which `lab` inlines into every seed-N.html. The bundle is committed, so
# building and testing the lab needs no Node.js; run this after changing lab/view/src/ (the
# test `view_bundle_is_built_from_the_current_sources` fails until you do).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../lab/view"
npm ci --no-audit --no-fund --loglevel=error
npx esbuild src/view.js --bundle --minify --format=iife --legal-comments=inline --outfile=dist/view.js.tmp
# The first line records which sources the bundle was built from (see the test above).
{ printf '// sources: %s\n' "$(cat src/*.js | sha256sum | cut -d' ' -f1)"; cat dist/view.js.tmp; } > dist/view.js
rm dist/view.js.tmp
echo "lab/view/dist/view.js: $(wc -c < dist/view.js) bytes"
