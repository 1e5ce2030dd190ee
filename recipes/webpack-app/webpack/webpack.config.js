// ANCHOR: config
import HtmlWebpackPlugin from "html-webpack-plugin";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// SharedArrayBuffer (the shared channel) needs a cross-origin isolated page.
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default {
  entry: {
    main: "./src/main.js",
    // The wasm-bindgen glue (`--target web`) is an entry of its own, emitted as an ES module
    // that exports every function under its own name. The page imports it by URL (see
    // src/main.js), so its name is fixed. wasm-rs-worker's loader, inside it, starts the
    // worker with `new Worker(import.meta.url, { type: "module" })`: webpack bundles that
    // worker as a chunk of its own (hashed name), which imports this same file, instantiates
    // the page's compiled module and calls the export `webpack_app_worker` by name.
    glue: {
      import: "./pkg/webpack_app.js",
      filename: "glue.js",
      library: { type: "module" },
    },
  },
  experiments: { outputModule: true },
  output: {
    path: fileURLToPath(new URL("./dist", import.meta.url)),
    module: true,
    filename: "[name].[contenthash].js",
    // The .wasm, found by the glue's `new URL("…_bg.wasm", import.meta.url)`, is an asset
    // module with a hashed name.
    assetModuleFilename: "[name].[contenthash][ext]",
    clean: true,
  },
  module: {
    parser: {
      javascript: {
        // Leave `import.meta.url` to the browser. wasm-rs-worker's loader reads it to find
        // the file the worker imports; by default webpack writes in the loader's source path
        // on the build machine instead (and `glue_url()` must fall back to reading the call
        // stack). `new URL("…", import.meta.url)` still makes an asset.
        importMeta: false,
      },
    },
  },
  plugins: [
    // index.html with the page's script (hashed name) added. The page is given as text:
    // as a template file it would be compiled as a script, which an ES module output refuses.
    new HtmlWebpackPlugin({
      templateContent: readFileSync(new URL("./src/index.html", import.meta.url), "utf8"),
      chunks: ["main"],
      scriptLoading: "module",
    }),
  ],
  devServer: { headers: isolation, static: false },
  // The .wasm is over webpack's default 244 KiB hint in development builds.
  performance: { hints: false },
};
// ANCHOR_END: config
