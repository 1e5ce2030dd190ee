//! `server-foo`: the recipe's server. `server-foo --help` lists the flags.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use clap::Parser;
    use std::io::Write;
    use std::time::Duration;

    /// Serves the `foo` machine on /ws and the timeline on /timeline.
    #[derive(Parser)]
    struct Flags {
        /// Address to bind (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: std::net::SocketAddr,
        /// Seconds of client silence before `foo` becomes Bored (N).
        #[arg(long, default_value_t = 10.0)]
        bored_after: f64,
        /// Seconds between greetings (M).
        #[arg(long, default_value_t = 5.0)]
        hello_every: f64,
        /// Greetings per session at most (K).
        #[arg(long, default_value_t = 3)]
        max_hellos: u32,
        /// The JSON-lines transition log (resumed on start).
        #[arg(long, default_value = "state-sync.jsonl")]
        log: std::path::PathBuf,
        /// A directory to serve at / (the browser-bar page: see the recipe's README).
        #[arg(long = "static", value_name = "DIR")]
        static_dir: Option<std::path::PathBuf>,
    }

    let flags = Flags::parse();
    let server = state_sync::server::ServerHandle::start(state_sync::server::Config {
        addr: flags.addr,
        bored_after: Duration::try_from_secs_f64(flags.bored_after)?,
        hello_every: Duration::try_from_secs_f64(flags.hello_every)?,
        max_hellos: flags.max_hellos,
        log: flags.log,
        static_dir: flags.static_dir.clone(),
    })?;
    // Tests read the bound port from the first line (with `--addr 127.0.0.1:0`), and may
    // close the pipe after it: a server must not die because nobody reads its stdout, so
    // write errors are ignored (`println!` would panic on a closed pipe).
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", server.addr());
    if flags.static_dir.is_some() {
        let _ = writeln!(out, "page: http://{}/", server.addr());
    }
    let _ = writeln!(out, "timeline: http://{}/timeline", server.addr());
    let _ = out.flush();
    drop(out);
    server.wait();
    Ok(())
}

#[cfg(target_arch = "wasm32")]
fn main() {}
