#!/bin/bash
# usage: run-browser.sh chromium|firefox|webkit [reps]  -> results/result_<who>.json
who=$1; reps=${2:-3}; url="http://localhost:8765/index.html?who=$who&reps=$reps$3"
rm -f results/result_$who.json
case $who in
  chromium) timeout 150 chromium --headless --no-sandbox --disable-gpu --user-data-dir=/tmp/peer-death/prof-chr "$url" >logs-$who.txt 2>&1 & ;;
  firefox) mkdir -p /tmp/peer-death/prof-ff; timeout 150 firefox-esr --headless -no-remote -profile /tmp/peer-death/prof-ff "$url" >logs-$who.txt 2>&1 & ;;
  webkit) timeout 150 xvfb-run -a /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser "$url" >logs-$who.txt 2>&1 & ;;
esac
pid=$!
for i in $(seq 1 145); do [ -f results/result_$who.json ] && break; sleep 1; done
sleep 0.5; kill $pid 2>/dev/null; wait $pid 2>/dev/null
echo "$who done after ${i}s"
