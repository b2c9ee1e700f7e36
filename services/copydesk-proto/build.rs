//! Generates the Rust types for `proto/copydesk/v1` at build time.
//!
//! The compiler comes from `protoc-bin-vendored`, so a fresh machine needs no
//! system `protoc`. Serde impls follow the proto3 JSON mapping (pbjson), which
//! is what `copydesk extract --format json` prints.

use std::{env, error::Error, path::PathBuf};

const PROTOS: &[&str] =
    &["copydesk/v1/snapshot.proto", "copydesk/v1/article.proto", "copydesk/v1/article_service.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let descriptors = out.join("copydesk_descriptor.bin");
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    // Timestamp is ours (src/timestamp.rs) so that JSON prints `Z`, as the
    // proto3 JSON mapping asks, rather than `+00:00`.
    config.compile_well_known_types();
    config.extern_path(".google.protobuf.Timestamp", "crate::Timestamp");

    let grpc = env::var_os("CARGO_FEATURE_GRPC").is_some();
    let files: Vec<PathBuf> = PROTOS.iter().map(|p| root.join(p)).collect();
    tonic_prost_build::configure()
        .build_server(grpc)
        .build_client(grpc)
        // No `connect` helper on the client: it would tie this crate to
        // tonic's HTTP client even for the server. Clients build their own
        // channel and call `new`.
        .build_transport(false)
        .file_descriptor_set_path(&descriptors)
        .compile_with_config(config, &files, std::slice::from_ref(&root))?;

    let set = std::fs::read(&descriptors)?;
    pbjson_build::Builder::new()
        .register_descriptors(&set)?
        .extern_path(".google.protobuf.Timestamp", "crate::Timestamp")
        .build(&[".copydesk"])?;

    for p in &files {
        println!("cargo:rerun-if-changed={}", p.display());
    }
    Ok(())
}
