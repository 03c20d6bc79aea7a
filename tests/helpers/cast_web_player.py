#!/usr/bin/env python3
"""Play an asciicast in asciinema's web player (the npm package asciinema-player,
its standalone bundle) in headless Chromium, and print the terminal's text once
the recording has played: one line of the player's DOM text, tags removed.

  cast_web_player.py PLAYER_PACKAGE_DIR CAST_FILE WORK_DIR
"""
import html
import json
import re
import subprocess
import sys

pkg, cast_path, work = sys.argv[1:4]
bundle = pkg + "/dist/bundle/"
page = f"""<!doctype html><html><head><meta charset="utf-8">
<style>{open(bundle + "asciinema-player.css").read()}</style></head><body><div id="p"></div>
<script>{open(bundle + "asciinema-player.min.js").read()}</script>
<script>
AsciinemaPlayer.create({{data: {json.dumps(open(cast_path, encoding="utf-8").read())}}},
  document.getElementById("p"), {{autoPlay: true, speed: 20, idleTimeLimit: 0.1}});
</script></body></html>"""
with open(work + "/player.html", "w", encoding="utf-8") as f:
    f.write(page)
dom = subprocess.run(
    ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
     "--dump-dom", "file://" + work + "/player.html"],
    capture_output=True, text=True, timeout=120).stdout
terminal = dom[dom.find('<div id="p"'):]
print(html.unescape(re.sub(r"<[^>]+>", "", terminal)))
