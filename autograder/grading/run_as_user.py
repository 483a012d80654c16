"""Start the student's kernel as an unprivileged user, as Gradescope advises.

jupyter_client runs this as the kernel command (see kernel.py) when the environment
names KIT_KERNEL_USER. As root, it hands the kernel a copy of the connection file it
can read, then drops to that user and becomes the kernel: student code can then read
neither the hidden tests nor the solution, nor write the results file.

    python -m autograder.grading.run_as_user USER CONNECTION_FILE
"""

import os
import pwd
import shutil
import sys
from pathlib import Path


def main(user, connection_file):
    account = pwd.getpwnam(user)
    own_copy = Path.cwd() / f".kernel-{Path(connection_file).name}"
    shutil.copyfile(connection_file, own_copy)
    os.chown(own_copy, account.pw_uid, account.pw_gid)
    os.setgroups([])
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    os.environ.update(HOME=str(Path.cwd()), USER=user, LOGNAME=user)
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", str(own_copy)])


if __name__ == "__main__":
    main(*sys.argv[1:3])
