//! Compiles the `.proto` files with protox (pure Rust, no system `protoc`) and generates the
//! prost messages and tonic service code from the resulting descriptor set. The descriptor set
//! itself is written out too (`lab_descriptor.bin`): real mode serves it through gRPC
//! reflection, so that tools like `grpcurl` can list and call a running node.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/lab.proto",
        "proto/ratelimit.proto",
        "proto/payments.proto",
        "proto/breaker.proto",
        "proto/replication.proto",
        "proto/pubsub.proto",
        "proto/lock.proto",
        "proto/dns.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("lab_descriptor.bin"), prost::Message::encode_to_vec(&descriptors))?;
    tonic_prost_build::configure().compile_fds(descriptors)?;
    Ok(())
}
