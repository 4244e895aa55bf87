"""Module paths and groups: which named nn.Module tree a module or parameter belongs to, and where.

The first named root that has children and runs (else the first that has children) gives relative paths
(`fc1`, `blocks.3.attn`); its own path is its variable name (`net`). Modules of other named roots are
prefixed with that root's name (`loss_fn`, `D.fc1`).
"""

from __future__ import annotations

from torch import Tensor, nn

from app.capture.records import ModuleInfo

__all__ = ["ModuleTree"]


class ModuleTree:
    """Paths of the modules and parameters reachable from the roots the program named."""

    def __init__(self) -> None:
        self._roots: list[tuple[str, nn.Module]] = []
        self._paths: dict[int, str] = {}
        self._modules: dict[str, nn.Module] = {}
        self._parents: dict[str, str | None] = {}
        self._tensor_labels: dict[int, str] = {}
        self._stale = False
        self._outside: set[int] = set()  # modules found in no named tree (until a root is added)
        self._called: set[int] = set()  # roots whose forward has run: the model the program uses

    def add_root(self, name: str, module: nn.Module) -> None:
        """A module was assigned to a variable; modules already inside a named tree keep their path."""
        if "_modules" not in vars(module):  # its __init__ never called super().__init__(): no tree to walk
            return
        if any(module is root for _, root in self._roots) or self.path_of(module) is not None:
            return
        self._roots.append((name, module))
        self._outside.clear()
        self._stale = True

    def calling(self, module: nn.Module) -> None:
        """A module's forward starts: a named root that runs is the one relative paths are given for (a
        program that names a layer and then a model built from copies of it means the model)."""
        if id(module) not in self._called and any(module is root for _, root in self._roots):
            self._called.add(id(module))
            self._stale = True

    def path_of(self, module: nn.Module) -> str | None:
        """The module's path, or None when it is outside every named tree."""
        self._refresh()
        path = self._paths.get(id(module))
        if path is None and self._roots and id(module) not in self._outside:
            self._stale = True  # it may have joined a named tree since (`net.head = nn.Linear(...)`)
            self._refresh()
            path = self._paths.get(id(module))
            if path is None:
                self._outside.add(id(module))
        return path

    def tensor_label(self, tensor: Tensor) -> str | None:
        """`fc1.weight` for a parameter or buffer of a named tree, else None."""
        self._refresh()
        return self._tensor_labels.get(id(tensor))

    def owner_path(self, label: str) -> str | None:
        """The module path that owns a parameter label (`fc1.weight` -> `fc1`)."""
        owner, _, _ = label.rpartition(".")
        return owner if owner in self._modules else None

    def infos(self, used: set[str]) -> dict[str, ModuleInfo]:
        """The modules on the paths in `used` and all their ancestors, parents first."""
        self._refresh()
        wanted: set[str] = set()
        for path in used:
            node: str | None = path
            while node is not None and node not in wanted:
                wanted.add(node)
                node = self._parents[node]
        ordered = [path for path in self._modules if path in wanted]
        return {path: self._info(path) for path in ordered}

    def _info(self, path: str) -> ModuleInfo:
        module = self._modules[path]
        params = sum(p.numel() for p in module.parameters())
        return ModuleInfo(path=path, module=type(module).__name__, parent=self._parents[path], params=params)

    def _primary(self) -> tuple[str, nn.Module] | None:
        containers = [(n, m) for n, m in self._roots if next(m.children(), None) is not None]
        running = [(name, module) for name, module in containers if id(module) in self._called]
        return next(iter(running or containers), None)

    def _refresh(self) -> None:
        if not self._stale:
            return
        self._stale = False
        self._paths.clear()
        self._modules.clear()
        self._parents.clear()
        self._tensor_labels.clear()
        primary = self._primary()
        ordered = ([primary] if primary else []) + [r for r in self._roots if r is not primary]
        for name, root in ordered:
            self._index_tree(name, root, relative=root is (primary[1] if primary else None))

    def _index_tree(self, name: str, root: nn.Module, *, relative: bool) -> None:
        by_sub: dict[str, str] = {}
        for sub, module in root.named_modules():
            if id(module) in self._paths:
                continue
            path = name if not sub else (sub if relative else f"{name}.{sub}")
            head = sub.rpartition(".")[0]
            self._parents[path] = None if not sub else by_sub.get(head, name)
            by_sub[sub] = path
            self._paths[id(module)] = path
            self._modules[path] = module
            self._index_tensors(path, module)

    def _index_tensors(self, path: str, module: nn.Module) -> None:
        local = [*module.named_parameters(recurse=False), *module.named_buffers(recurse=False)]
        for leaf_name, tensor in local:
            self._tensor_labels.setdefault(id(tensor), f"{path}.{leaf_name}")
