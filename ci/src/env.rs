//! The test environments a crate can declare in `[package.metadata.wasm-rs] environments`.

use std::fmt;
use std::str::FromStr;

/// One place a crate's tests run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Environment {
    /// `cargo test` on the host.
    Native,
    /// wasm-bindgen-test-runner's default: Node.js.
    Node,
    /// Headless Chromium, on the page's main thread.
    Browser,
    /// Headless Chromium, inside a dedicated worker.
    Worker,
}

impl Environment {
    pub(crate) const ALL: [Environment; 4] = [
        Environment::Native,
        Environment::Node,
        Environment::Browser,
        Environment::Worker,
    ];

    /// The name used in metadata, in `--only`, and in the summary table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Environment::Native => "native",
            Environment::Node => "node",
            Environment::Browser => "browser",
            Environment::Worker => "worker",
        }
    }

    /// Whether the tests are compiled to wasm32 and run by wasm-bindgen-test-runner.
    pub(crate) fn is_wasm(self) -> bool {
        !matches!(self, Environment::Native)
    }

    /// Whether the environment needs a browser and its WebDriver.
    pub(crate) fn needs_browser(self) -> bool {
        matches!(self, Environment::Browser | Environment::Worker)
    }

    /// The variables that make wasm-bindgen-test-runner pick this environment
    /// (a test crate that calls `wasm_bindgen_test_configure!` overrides them, which is why
    /// tests are written without it).
    pub(crate) fn runner_vars(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Environment::Native | Environment::Node => &[],
            Environment::Browser => &[("WASM_BINDGEN_USE_BROWSER", "1")],
            Environment::Worker => &[("WASM_BINDGEN_USE_DEDICATED_WORKER", "1")],
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Environment {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Environment::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                format!("unknown environment `{s}`: expected one of native, node, browser, worker")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for e in Environment::ALL {
            assert_eq!(e.name().parse::<Environment>(), Ok(e));
        }
        assert!("chrome".parse::<Environment>().is_err());
    }
}
