"""The shared hostile-input table: every row is a program and the exact error kind it must get.

Used in-process by tests/program/test_hostile.py (through app.runner.run) and over real HTTP by the service
tests. `layer` says which defence is expected to stop it: "program" rows are stopped by the language itself
(text checks, validator, interpreter budgets); "sandbox" rows only by the worker process (wall clock, CPU or
memory rlimits), so in-process tests skip them. `kind=None` rows must succeed, and their JSON must contain
every string in `contains` (NaN/Inf values and gradients encode as "NaN", "Infinity", "-Infinity").
"""

from __future__ import annotations

from typing import NamedTuple

from long_runs import UNFINISHABLE


class HostileCase(NamedTuple):
    id: str
    program: str
    kind: str | None
    layer: str = "program"
    contains: tuple[str, ...] = ()


T = "import torch\nimport torch.nn as nn\nimport math\n"  # the usual imports, prefixed where a row needs them
GRAPH = T + "x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n"
MODULE = T + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"

CASES: list[HostileCase] = [
    # ---------------------------------------------------------------- escape attempts
    HostileCase("dunder_subclasses", "().__class__.__bases__[0].__subclasses__()", "forbidden_attribute"),
    HostileCase("dunder_globals", "f = print\ng = f.__globals__", "forbidden_attribute"),
    HostileCase("dunder_import", "__import__('os').system('id')", "forbidden_name"),
    HostileCase("getattr_builtin", T + "getattr(torch, 'load')", "forbidden_name"),
    HostileCase("eval_builtin", "eval('1 + 1')", "forbidden_name"),
    HostileCase("exec_builtin", "exec('x = 1')", "forbidden_name"),
    HostileCase("open_builtin", "open('/etc/passwd').read()", "forbidden_name"),
    HostileCase("compile_builtin", "compile('1', 'f', 'eval')", "forbidden_name"),
    HostileCase("globals_builtin", "g = globals()", "forbidden_name"),
    HostileCase("vars_builtin", "v = vars()", "forbidden_name"),
    HostileCase("type_builtin", "t = type(1)", "forbidden_name"),
    HostileCase("breakpoint_builtin", "breakpoint()", "forbidden_name"),
    HostileCase("format_field_path", "s = '{0.__class__}'.format(1)", "forbidden_attribute"),
    HostileCase("format_field_globals", "s = '{0.__globals__}'.format(print)", "forbidden_attribute"),
    HostileCase("fstring_dunder", "s = f'{(1).__class__}'", "forbidden_attribute"),
    HostileCase("fstring_huge_width", "x = 1\ns = f'{x:>{10**9}}'", "forbidden_argument"),
    HostileCase("generator_frame", "g = (i for i in [1])\nf = g.gi_frame", "forbidden_syntax"),
    HostileCase("lambda", "f = lambda: 0", "forbidden_syntax"),
    HostileCase("class_metaclass", T + "class A(nn.Module, metaclass=type):\n    pass", "forbidden_syntax"),
    HostileCase("class_plain_base", "class A(object):\n    pass", "forbidden_syntax"),
    HostileCase("decorator", "@property\ndef f():\n    return 1", "forbidden_syntax"),
    HostileCase("module_dict", T + "d = torch.__dict__", "forbidden_attribute"),
    HostileCase("tensor_class", T + "c = torch.ones(1).__class__", "forbidden_attribute"),
    HostileCase("grad_fn_next_functions", GRAPH + "n = y.grad_fn.next_functions", "forbidden_attribute"),
    HostileCase("grad_fn_hook", GRAPH + "y.grad_fn.register_hook(print)", "forbidden_attribute"),
    HostileCase("tensor_hook", GRAPH + "x.register_hook(print)", "forbidden_attribute"),
    HostileCase("module_apply", T + "m = nn.Linear(2, 2)\nm.apply(print)", "forbidden_attribute"),
    HostileCase("module_state_dict", T + "m = nn.Linear(2, 2)\ns = m.state_dict()", "forbidden_attribute"),
    HostileCase(
        "module_forward_hook",
        T + "m = nn.Linear(2, 2)\nm.register_forward_hook(print)",
        "forbidden_attribute",
    ),
    HostileCase("module_replace_method", MODULE + "        self.forward = 1\nn = N()", "forbidden_attribute"),
    HostileCase("self_dunder_dict", MODULE + "        self.__dict__ = {}\nn = N()", "forbidden_attribute"),
    HostileCase("super_other_method", "super().forward()", "forbidden_name"),
    HostileCase("builtin_self", "s = print.__self__", "forbidden_attribute"),
    HostileCase("function_code", "def f():\n    return 1\nc = f.__code__", "forbidden_attribute"),
    HostileCase("function_attribute", "def f():\n    return 1\nc = f.anything", "forbidden_attribute"),
    HostileCase("string_method", "s = 'abc'.upper()", "forbidden_attribute"),
    HostileCase("print_file_keyword", "print('x', file=None)", "forbidden_argument"),
    HostileCase("import_os", "import os", "forbidden_import"),
    HostileCase("import_from_sys", "from sys import modules", "forbidden_import"),
    HostileCase("import_torch_hub", "import torch.hub", "forbidden_import"),
    HostileCase("import_relative", "from . import secrets", "forbidden_import"),
    HostileCase("import_builtins", "import builtins", "forbidden_import"),
    HostileCase("try_except", "try:\n    x = 1\nexcept Exception as e:\n    x = e", "forbidden_syntax"),
    HostileCase("while_loop", "while True:\n    pass", "forbidden_syntax"),
    HostileCase("global_statement", "def f():\n    global x\n    x = 1", "forbidden_syntax"),
    HostileCase("walrus", "y = (x := 5)", "forbidden_syntax"),
    HostileCase("starred_assign", "a, *b = [1, 2, 3]", "forbidden_syntax"),
    HostileCase("kwargs_unpack", "d = {'sep': ''}\nprint(1, **d)", "forbidden_syntax"),
    # ---------------------------------------------------------------- files, network, processes via torch
    HostileCase("torch_load", T + "m = torch.load('/etc/passwd')", "forbidden_attribute"),
    HostileCase("torch_save", T + "torch.save(torch.ones(1), '/tmp/x')", "forbidden_attribute"),
    HostileCase("torch_from_file", T + "t = torch.from_file('/etc/passwd')", "forbidden_attribute"),
    HostileCase("torch_hub", T + "m = torch.hub.load('a/b', 'c')", "forbidden_attribute"),
    HostileCase("torch_ops", T + "f = torch.ops.aten.add", "forbidden_attribute"),
    HostileCase("torch_private_c", T + "c = torch._C", "forbidden_attribute"),
    HostileCase("torch_compile", T + "f = torch.compile(print)", "forbidden_attribute"),
    HostileCase("torch_jit", T + "f = torch.jit.script", "forbidden_attribute"),
    HostileCase(
        "torch_distributed", T + "torch.distributed.init_process_group('gloo')", "forbidden_attribute"
    ),
    HostileCase("torch_utils", T + "u = torch.utils.data", "forbidden_attribute"),
    HostileCase(
        "torch_set_default_dtype", T + "torch.set_default_dtype(torch.float64)", "forbidden_attribute"
    ),
    HostileCase("torch_cuda_set_device", T + "torch.cuda.set_device(0)", "forbidden_attribute"),
    HostileCase("tensor_numpy", T + "a = torch.ones(2).numpy()", "forbidden_attribute"),
    HostileCase("tensor_storage", T + "s = torch.ones(2).untyped_storage()", "forbidden_attribute"),
    HostileCase("tensor_data_ptr", T + "p = torch.ones(2).data_ptr()", "forbidden_attribute"),
    HostileCase("tensor_apply", T + "torch.ones(2).apply_(print)", "forbidden_attribute"),
    HostileCase("tensor_tofile", T + "torch.ones(2).tofile('/tmp/x')", "forbidden_attribute"),
    HostileCase("torch_empty", T + "e = torch.empty(3)", "forbidden_attribute"),
    HostileCase("torch_empty_like", T + "e = torch.empty_like(torch.ones(3))", "forbidden_attribute"),
    HostileCase("legacy_uninitialised", T + "e = torch.Tensor(3, 4)", "forbidden_argument"),
    HostileCase("out_keyword", T + "a = torch.ones(2)\ntorch.add(a, a, out=a)", "forbidden_argument"),
    HostileCase(
        "optimizer_closure", GRAPH + "o = torch.optim.SGD([x], lr=0.1)\no.step(print)", "forbidden_argument"
    ),
    HostileCase("module_as_tensor_argument", T + "t = torch.sigmoid(nn.Linear(2, 2))", "forbidden_argument"),
    HostileCase("math_loader", T + "l = math.__loader__", "forbidden_attribute"),
    # ---------------------------------------------------------------- resource exhaustion
    HostileCase("huge_ones", T + "a = torch.ones(10**10)", "limit_exceeded"),
    HostileCase("huge_zeros_2d", T + "a = torch.zeros(100000, 100000)", "limit_exceeded"),
    HostileCase("huge_randn_tuple", T + "a = torch.randn((100000, 100000))", "limit_exceeded"),
    HostileCase("huge_arange", T + "a = torch.arange(10**10)", "limit_exceeded"),
    HostileCase(
        "broadcast_bomb",
        T + "a = torch.ones(100000, 1)\nb = torch.ones(1, 100000)\nc = a + b",
        "limit_exceeded",
    ),
    HostileCase("expand_bomb", T + "a = torch.ones(1).expand(10**9)", "limit_exceeded"),
    HostileCase("repeat_bomb", T + "a = torch.ones(10).repeat(10**8)", "limit_exceeded"),
    HostileCase("matmul_flops", T + "a = torch.ones(4000, 4000)\nb = a @ a", "limit_exceeded"),
    HostileCase(
        "einsum_flops",
        T + "a = torch.ones(3000, 3000)\nb = torch.einsum('ij,jk->ik', a, a)",
        "limit_exceeded",
    ),
    HostileCase("linear_huge", T + "m = nn.Linear(100000, 100000)", "limit_exceeded"),
    HostileCase("embedding_huge", T + "m = nn.Embedding(10**7, 100)", "limit_exceeded"),
    # expanded views hold no memory but count their logical elements, so this is cheap to refuse
    HostileCase(
        "live_elements",
        T + "a = torch.ones(1)\nxs = [a.expand(60000000) for _ in range(8)]",
        "limit_exceeded",
    ),
    HostileCase("giant_loop", "for i in range(10**9):\n    pass", "limit_exceeded"),
    HostileCase(
        "nested_loops", "for i in range(1000):\n    for j in range(1000):\n        pass", "limit_exceeded"
    ),
    HostileCase("comprehension_bomb", "xs = [i for i in range(10**8)]", "limit_exceeded"),
    HostileCase("deep_recursion", "def f(n):\n    return f(n + 1)\nf(0)", "limit_exceeded"),
    HostileCase("pow_tower", "x = 9**9**9", "limit_exceeded"),
    HostileCase("int_multiply", "x = 2**50 * 2**50", "limit_exceeded"),
    HostileCase("round_huge_digits", "x = round(5, -10**9)", "forbidden_argument"),
    HostileCase("int_literal", "x = 123456789012345678901234567890", "limit_exceeded"),
    HostileCase("float_pow", "x = 10.0 ** 400", "limit_exceeded"),
    HostileCase("list_multiply", "x = [[0.0] * 10000] * 10000", "forbidden_operation"),
    HostileCase("string_multiply", "s = 'a' * 10**9", "forbidden_operation"),
    HostileCase("huge_literal", "x = [" + "0," * 5000 + "]", "limit_exceeded"),
    HostileCase(
        "print_flood",
        "for i in range(5000):\n    print('a' * 1 if False else 'aaaaaaaaaaaaaaaa')",
        "limit_exceeded",
    ),
    HostileCase(
        "backward_flood", GRAPH + "for i in range(100):\n    y.backward(retain_graph=True)", "limit_exceeded"
    ),
    HostileCase("tolist_big", T + "v = torch.ones(5000).tolist()", "forbidden_argument"),
    HostileCase("tensor_from_big_int", T + "t = torch.tensor([2**62])", "limit_exceeded"),
    HostileCase("never_finishing", UNFINISHABLE, "timeout", layer="sandbox"),
    # ---------------------------------------------------------------- malformed and huge sources
    HostileCase("nested_parentheses_200", "x = " + "f(" * 200 + "1" + ")" * 200, "too_complex"),
    HostileCase("nested_grouping_201", "x = " + "(" * 201 + "1" + ")" * 201, "too_complex"),
    HostileCase("nested_lists_100", "x = " + "[" * 100 + "]" * 100, "too_complex"),
    HostileCase("chain_1500_terms", "x = " + " + ".join(["1"] * 1500), "too_complex"),
    HostileCase("unary_chain", "x = " + "-" * 5000 + "1", "too_complex"),
    HostileCase("many_statements", ("x=1;" * 40 + "\n") * 100, "too_complex"),
    HostileCase("nul_byte", "x = 1\x00", "source_rejected"),
    HostileCase("lone_surrogate", "x = '\ud800'", "source_rejected"),
    HostileCase("too_many_lines", "x = 1\n" * 600, "source_rejected"),
    HostileCase("too_many_characters", "#" * 25000, "source_rejected"),
    HostileCase("empty", "", "empty_program"),
    HostileCase("comments_only", "# nothing\n   # here\n", "empty_program"),
    HostileCase("slash_comment", "// comment\nx = 1", "syntax_error"),
    HostileCase("unbalanced_bracket", "x = (1, 2", "syntax_error"),
    HostileCase("tabs_and_spaces", "if True:\n        x = 1\n\ty = 2", "syntax_error"),
    HostileCase("bad_escape", "s = '\\N{no such name}'", "syntax_error"),
    # ---------------------------------------------------------------- numeric edge cases
    HostileCase(
        "nan_value_and_grad",
        T + "x = torch.tensor([-1.0], requires_grad=True)\ny = torch.sqrt(x)\ny.backward()",
        None,
        contains=('"NaN"',),
    ),
    HostileCase(
        "inf_value_and_grad",
        T + "x = torch.tensor([0.0], requires_grad=True)\ny = torch.log(x)\ny.backward()",
        None,
        contains=('"-Infinity"', '"Infinity"'),
    ),
    HostileCase("int_division_by_zero", "x = 1 // 0", "runtime_error"),
    HostileCase("math_overflow", T + "x = math.exp(1000)", "runtime_error"),
    HostileCase("shape_mismatch", T + "c = torch.ones(2, 3) @ torch.ones(2, 3)", "runtime_error"),
    HostileCase("bce_target_size", T + "l = nn.BCELoss()(torch.rand(3, 1), torch.rand(3))", "runtime_error"),
    HostileCase("index_out_of_range", "x = [1, 2][5]", "runtime_error"),
    # ---------------------------------------------------------------- unicode tricks
    HostileCase("fullwidth_torch", "import \uff54\uff4f\uff52\uff43\uff48", "source_rejected"),
    HostileCase("math_bold_eval", "\U0001d41e\U0001d42f\U0001d41a\U0001d425('1')", "source_rejected"),
    HostileCase("cyrillic_import", "\u0456mport torch", "source_rejected"),
    HostileCase("zero_width_space", "x\u200b = 1", "source_rejected"),
    HostileCase("bidi_override", "x = 1  # \u202e evil", "source_rejected"),
    HostileCase("byte_order_mark", "\ufeffx = 1", "source_rejected"),
    HostileCase("no_break_space", "x\u00a0= 1", "source_rejected"),
    HostileCase("cyrillic_string", "print('\u0430dmin')", "source_rejected"),
]
