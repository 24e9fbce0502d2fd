# test_node.py SCRIPT - runs one of the node application tests (ioredis,
# node-redis: tests/apps/node/*.js) against a server started here, with
# the npm packages that tests/apps/node/setup.sh installed into
# DBLITE_APPS_NODE_MODULES (default: the build tree's apps-node).  The
# script's output is the evidence app_support.py judges.

import os
import subprocess
import sys

from app_support import HERE, AppFailure, run

NEEDS = ["multi", "exec", "watch", "unwatch", "subscribe", "psubscribe", "unsubscribe",
         "punsubscribe", "publish", "pubsub"]


def node_modules():
    explicit = os.environ.get("DBLITE_APPS_NODE_MODULES")
    if explicit:
        return explicit
    build = os.environ.get("DBLITE_BINARY_DIR") or os.path.join(os.path.dirname(
        os.path.dirname(HERE)), "build")
    return os.path.join(build, "apps-node", "node_modules")


def main():
    script = os.path.join(HERE, "node", sys.argv.pop(1))
    modules = node_modules()
    if not os.path.isdir(modules):
        raise SystemExit("%s missing: run tests/apps/node/setup.sh %s"
                         % (modules, os.path.dirname(modules)))

    def scenario(server, evidence):
        environment = dict(os.environ, DBLITE_APPS_PORT=str(server.port), NODE_PATH=modules)
        done = subprocess.run(["node", script], env=environment, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        output = done.stdout.decode("utf-8", "replace")
        evidence.append(output)
        print(output, end="")
        if done.returncode != 0:
            raise AppFailure("%s exited with %d" % (os.path.basename(script), done.returncode))

    run(os.path.splitext(os.path.basename(script))[0].replace("test_", ""), NEEDS, scenario)


if __name__ == "__main__":
    main()
