"""Django's ``i18n`` template library with ``translate`` and ``blocktranslate`` marking their output when the
active language falls back to Chinese (see :mod:`yichuang.core.i18n.marking`). The engine of
:class:`~yichuang.core.i18n.backend.MarkingDjangoTemplates` loads it for ``{% load i18n %}``, so templates
are written as usual."""

from __future__ import annotations

from django import template
from django.template.base import Node, Parser, Token, Variable, VariableDoesNotExist
from django.template.context import Context
from django.templatetags import i18n as django_i18n

from yichuang.core.i18n.marking import falls_back, mark, marking_active

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class MarkedTranslateNode(Node):
    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        self.node = node

    def render(self, context: Context) -> str:
        output = self.node.render(context)
        if self.node.noop or not marking_active() or not self._falls_back(context):
            return output
        if self.node.asvar:
            context[self.node.asvar] = mark(context[self.node.asvar])
            return output
        return mark(output)

    def _falls_back(self, context: Context) -> bool:
        variable = self.node.filter_expression.var
        message = variable.literal
        if variable.lookups is not None:  # {% translate some_variable %}: its own value is the msgid
            try:
                message = Variable(variable.var).resolve(context)
            except VariableDoesNotExist:
                return False
        message_context = self.node.message_context.resolve(context) if self.node.message_context else None
        # Variable.resolve() doubles the percent signs of the msgid it translates; look up the same key.
        return falls_back(str(message).replace("%", "%%"), context=message_context)


class MarkedBlockTranslateNode(Node):
    child_nodelists = ()

    def __init__(self, node: django_i18n.BlockTranslateNode) -> None:
        self.node = node

    def render(self, context: Context) -> str:
        output = self.node.render(context)
        if not marking_active() or not self._falls_back(context):
            return output
        if self.node.asvar:
            context[self.node.asvar] = mark(context[self.node.asvar])
            return output
        return mark(output)

    def _falls_back(self, context: Context) -> bool:
        node = self.node
        message, _variables = node.render_token_list(node.singular)
        message_context = node.message_context.resolve(context) if node.message_context else None
        plural = bool(node.plural and node.countervar and node.counter)
        return falls_back(message, context=message_context, plural=plural)


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> Node:
    return MarkedTranslateNode(django_i18n.do_translate(parser, token))


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_block_translate(parser: Parser, token: Token) -> Node:
    return MarkedBlockTranslateNode(django_i18n.do_block_translate(parser, token))
