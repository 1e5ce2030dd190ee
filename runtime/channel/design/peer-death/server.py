# Tiny static server with COOP/COEP (cross-origin isolation) + POST /result sink.
import http.server, sys, json, os
class H(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header('Cross-Origin-Opener-Policy', 'same-origin')
        self.send_header('Cross-Origin-Embedder-Policy', 'require-corp')
        self.send_header('Cache-Control', 'no-store')
        super().end_headers()
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0)); body = self.rfile.read(n)
        with open(os.path.join(os.path.dirname(__file__), 'results', self.path.strip('/').replace('/', '_') + '.json'), 'wb') as f:
            f.write(body)
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass
os.chdir(os.path.dirname(os.path.abspath(__file__)))
os.makedirs('results', exist_ok=True)
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 8765), H).serve_forever()
