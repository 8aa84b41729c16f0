"""A python curator that uses every hook and every ctx call, for
tests/integration/python_test.cpp."""

import json
import os
import time

import ramify


class Curator(ramify.Curator):
    def __init__(self, options):
        super().__init__(options)
        self.curated = 0

    def prune_session(self, node, ctx):  # the level's own hook wins over prune()
        return node.label == "ses-pruned"

    def prune(self, node, ctx):
        return False

    def validate(self, node, ctx):
        if node.label.endswith(".skip"):
            ctx.skip("not for us")
            return False
        return True

    def curate_subject(self, node, ctx):
        ctx.data["subject"] = node.label
        ctx.record("is_subject", True)
        ctx.record("children", len(ctx.children()))

    def curate_session(self, node, ctx):
        ctx.error("an error record on " + node.id)

    def curate_file(self, node, ctx):
        if node.label == "poison.txt":
            raise ValueError("poisoned: " + node.id)
        if node.label.startswith("busy"):
            start = time.time()
            while time.time() - start < 0.3:
                pass
            ctx.record("start", start)
            ctx.record("end", time.time())
            ctx.record("pid", os.getpid())
            return
        self.curated += 1
        with open(node.path, "rb") as f:
            content = f.read()
        ctx.record("bytes", len(content))
        ctx.record("ratio", 0.5)
        ctx.record("name", node.label)
        ctx.record("subject", ctx.data.get("subject", ""))
        ctx.record("parent", node.parent)
        ctx.record("ancestors", ",".join(a.level for a in ctx.ancestors()))
        ctx.record("greeting", ctx.option("greeting", "none"))
        ctx.record("missing_option", str(ctx.option("nope")))
        with ctx.open_input("table") as f:
            ctx.record("input_bytes", len(f.read()))
        ctx.record("input_exists", os.path.exists(ctx.input_path("table")))
        ctx.record("cancelled", ctx.cancelled)
        if node.label.endswith(".json"):
            ctx.record("keys", len(json.loads(content)))
        print("printed", node.label)
        ctx.info("info " + node.label)
        ctx.warning("warning " + node.label)
        if node.label == "finding.txt":
            ctx.finding("a finding on " + node.id)
        if node.label == "fail.txt":
            ctx.fail("failed on purpose")

    def curate(self, node, ctx):  # every other level
        ctx.record("children", len(ctx.children()))

    def leave_subject(self, node, ctx):
        ctx.record("left", node.label)

    def finalize(self, ctx):
        try:
            table = os.path.exists(ctx.input_path("table"))  # inputs can be read here too
        except RuntimeError:
            table = None
        ctx.info("finalize %d table=%s" % (self.curated, table))

    def finalize_run(self, results, ctx):
        ctx.info("finalize_run %d" % len(results))
        for r in results:
            if r.root.level == "subject":
                ctx.info("result %s left=%s" % (r.root.id, r.fields.get("left")))
