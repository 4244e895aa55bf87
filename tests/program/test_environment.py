"""What a run finds different in the sandbox, told in the response's notes, and the nondeterminism flag."""

from __future__ import annotations

import random

from traced import graph_of


def test_loader_workers_and_thread_counts_run_in_one_process_with_a_note() -> None:
    source = """\
import torch
from torch.utils.data import DataLoader, TensorDataset
torch.set_num_threads(8)
data = TensorDataset(torch.arange(6.0))
total = sum(batch[0].sum() for batch in DataLoader(data, batch_size=2, num_workers=3))
print(float(total), torch.get_num_threads())
"""
    graph = graph_of(source)
    assert graph.stdout.split()[0] == "15.0"  # (the thread count is the process's own: 1 in a sandbox child)
    assert graph.notes == [
        "torch.set_num_threads(8) was ignored: each sandboxed run has one CPU thread",
        "DataLoader(num_workers=3) ran with num_workers=0: the sandbox runs one process",
    ]
    assert not graph.nondeterministic


def test_unseeded_python_and_numpy_randomness_is_seeded_by_the_run() -> None:
    source = "import random\nimport numpy as np\nprint(random.random(), np.random.rand())\n"
    first, second = graph_of(source, seed=3), graph_of(source, seed=3)
    assert first.stdout == second.stdout != graph_of(source, seed=4).stdout
    random.seed(3)
    assert first.stdout.split()[0] == repr(random.random())
    assert not first.nondeterministic


def test_reading_the_clock_or_os_randomness_marks_the_run_nondeterministic() -> None:
    assert graph_of("import time\nstart = time.time()\n").nondeterministic
    assert graph_of("import os\nkey = os.urandom(4)\n").nondeterministic
    assert graph_of("import uuid\nname = uuid.uuid4()\n").nondeterministic
    assert not graph_of("import torch\nx = torch.randn(3)\n").nondeterministic
