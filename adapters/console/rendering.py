"""Show the core's replies as plain text on a terminal, saying who sees each one."""

from __future__ import annotations

from collections.abc import Mapping

from bot.replies import Form, FormInput, InputKind, Reply, Section, Visibility

INDENT = "  "


def render(reply: Reply, *, place: str = "", first_button: int = 1) -> str:
    """Show a reply to the event just typed; ``place`` names the channel, e.g. ``#C1``."""
    if reply.visibility is Visibility.PRIVATE:
        header = "okrbot (only you see this):"
    elif place:
        header = f"okrbot in {place}:"
    else:
        header = "okrbot:"
    return _with_header(header, reply, first_button)


def render_delivery(reply: Reply, *, target: str, first_button: int = 1) -> str:
    """Show a message the bot sent on its own: ``#C2`` for a channel, ``@U3`` for a person."""
    suffix = " (direct)" if target.startswith("@") else ""
    return _with_header(f"okrbot → {target}{suffix}:", reply, first_button)


def render_form_errors(errors: Mapping[str, str]) -> str:
    """List what to fix in a submitted form, input by input."""
    return "\n".join(f"{INDENT}{name}: {message}" for name, message in errors.items())


def body(reply: Reply, *, first_button: int = 1) -> list[str]:
    """Lines of a reply below its summary line, indented under it."""
    lines = _indented(reply.text.splitlines()[1:], INDENT)
    for section in reply.sections:
        lines += _section(section)
    if reply.buttons:
        labels = (f"[{n}] {b.label}" for n, b in enumerate(reply.buttons, start=first_button))
        lines.append(INDENT + "   ".join(labels))
    if reply.form is not None:
        lines += _form(reply.form)
    return lines


def _with_header(header: str, reply: Reply, first_button: int) -> str:
    first, *_ = reply.text.splitlines() or [""]
    lines = [f"{header} {first}".rstrip()]
    lines += body(reply, first_button=first_button)
    return "\n".join(lines)


def _section(section: Section) -> list[str]:
    inner = INDENT
    lines: list[str] = []
    if section.title:
        lines.append(INDENT + section.title)
        inner = INDENT * 2
    lines += _indented(section.text.splitlines(), inner)
    for item in section.fields:
        label_line, *more = item.value.splitlines() or [""]
        lines.append(f"{inner}{item.label}: {label_line}".rstrip())
        lines += _indented(more, inner + INDENT)
    return lines


def _form(form: Form) -> list[str]:
    lines = [f"{INDENT}Form: {form.title}"]
    lines += [INDENT * 2 + _describe(field) for field in form.inputs]
    required = [field.name for field in form.inputs if field.required] or [
        field.name for field in form.inputs[:1]
    ]
    values = " | ".join(f"{name}=..." for name in required)
    lines.append(f"{INDENT}To fill it in, type: !form {form.form_id} {values}".rstrip())
    optional = [field.name for field in form.inputs if field.name not in required]
    if optional:
        lines.append(f"{INDENT}(optional, added the same way: {', '.join(optional)})")
    return lines


def _describe(field: FormInput) -> str:
    text = f"{field.name}: {field.label}"
    if field.kind is InputKind.CHOICE and field.choices:
        text += " (one of: " + ", ".join(choice.value for choice in field.choices) + ")"
    elif field.hint:
        text += f" (e.g. {field.hint})"
    if not field.required:
        text += " [optional]"
    if field.initial:
        text += f" [now: {field.initial}]"
    return text


def _indented(lines: list[str], prefix: str) -> list[str]:
    return [f"{prefix}{line}".rstrip() if line.strip() else "" for line in lines]
