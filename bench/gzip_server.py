"""A static file server for benchmarks that compresses as GitHub Pages does.

GitHub Pages gzips HTML, CSS, JavaScript, JSON, SVG and XML when the client accepts it;
Lighthouse's performance figures depend on that, so the plain http.server won't do.
Serves DIR on 127.0.0.1:PORT (loopback only) until killed.

    python3 bench/gzip_server.py DIR PORT
"""

import gzip
import http.server
import os
import sys

COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt"}


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        ext = os.path.splitext(path)[1]
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if ext not in COMPRESSED or not accepts or not os.path.isfile(path):
            return super().send_head()
        with open(path, "rb") as f:
            body = gzip.compress(f.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Bytes(body)


class _Bytes:
    def __init__(self, data):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def main():
    root, port = sys.argv[1], int(sys.argv[2])
    os.chdir(root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
