#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""docs/device-tutorial.md shows the files of docs/tutorial/doorbell/: every
code block marked <!-- file: NAME --> must be that file, byte for byte, and
every file of the folder must be shown, so that the page and the code the
tutorial-device boot test runs cannot drift apart."""
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))
PAGE = os.path.join(SRC, "docs", "device-tutorial.md")
FOLDER = os.path.join(SRC, "docs", "tutorial", "doorbell")
BLOCK = re.compile(r"<!-- file: (\S+) -->\n```[a-z]*\n(.*?)```\n", re.S)


class Tutorial(unittest.TestCase):
    def test_blocks_are_the_files(self):
        with open(PAGE) as f:
            page = f.read()
        shown = {}
        for name, text in BLOCK.findall(page):
            self.assertNotIn(name, shown, "%s is shown twice" % name)
            shown[name] = text
            with open(os.path.join(FOLDER, name)) as f:
                self.assertEqual(text, f.read(), "the page's %s differs from the file" % name)
        files = set()
        for root, _, names in os.walk(FOLDER):
            for n in names:
                rel = os.path.relpath(os.path.join(root, n), FOLDER)
                if rel != "guest/initrd.cpio.gz" and not rel.endswith((".o", ".ko")):
                    files.add(rel)
        self.assertEqual(sorted(files), sorted(shown))


if __name__ == "__main__":
    sys.exit(unittest.main())
