//! Compiles the `.proto` files with protox (pure Rust, no system `protoc`) and generates the
//! prost messages and tonic service code from the resulting descriptor set.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = ["proto/lab.proto", "proto/ratelimit.proto", "proto/payments.proto", "proto/breaker.proto"];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
