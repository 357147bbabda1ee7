"""The one exception an import raises: Russian, and naming the row and column where it can."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    row: str = ""  # «строка 7» / «таблица 2, строка 7», already worded for the user
    column: str = ""  # «C «Срок исполнения»»

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (self.row, f"столбец {self.column}" if self.column else "") if part
        )
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message


class RoadmapImportError(Exception):
    """The file cannot be imported; nothing has been saved."""

    def __init__(self, problems: "list[Problem] | Problem | str"):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]
