"""The document type: annual_report | work_points | work_plan | implementation_report | other.

Decided by the title's head noun — the kind of document its last keyword names (`…工作要点实施方案` is a plan,
`…工作要点落实情况的报告` a report). A notice that publishes a document (`关于印发…的通知`, `转发《…》`) takes
that document's type. Without a title, the body decides: the national annual-report format's sections and tables,
or a task table (工作任务 · 责任单位 · 时限). See annual-report-format.md §9.
"""

from __future__ import annotations

import re

from .clean import compact
from .header import title_core

_PUBLISHES = re.compile(r"(?:印发|转发|公布|下发)(?:《(?P<quoted>[^》]+)》|(?P<bare>.+?)的?(?:通知|通告)$)")
_IMPLEMENTATION = re.compile(r"落实情况|自查报告|自查情况|工作总结|执行情况|完成情况|推进情况的报告|情况的报告|情况报告")
_ANNUAL = re.compile(r"(?:政府信息公开|政务公开|信息公开)[^,，]{0,12}(?:年度报告|年报|工作报告)")
_PLAN_OF_POINTS = re.compile(r"要点(?:的)?(?:实施方案|工作方案)")
_POINTS = re.compile(r"工作要点|要点|任务分解|分解表|主要任务|重点任务|任务清单|重点工作安排|工作安排")
_PLAN = re.compile(r"方案|任务分工|责任分工|分工|工作计划")
# the 2019/2021 format's section headings and table labels; pre-2019 reports' usual ones
_REPORT_MARKS = re.compile(
    r"总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况|政府信息公开行政复议、行政诉讼情况"
    r"|存在的主要问题及改进情况|其他需要报告的事项|本年新制作数量|本年新收政府信息公开申请数量|依申请公开政府信息(?:情况|办理情况)"
    r"|政府信息公开的收费及减免情况|因政府信息公开申请提起(?:的)?行政复议")
_REPORT_SELF = re.compile(r"(?:本|该)(?:年度)?报告|本年报|(?:公布|发布|编制)(?:了)?[^。]{0,40}(?:年度报告|年报)")
_TASK_TABLE = re.compile(r"(?:责任(?:单位|科室|部门)|牵头单位).{0,80}(?:时限|完成时间|时间要求)", re.S)


def _inner(title: str) -> str:
    """The title of the document a notice publishes, else the title itself."""
    if not re.search(r"印发|转发|公布|下发", title):
        return title
    m = _PUBLISHES.search(title)
    if not m:
        return title
    return m.group("quoted") or m.group("bare") or title


def _by_title(title: str) -> str | None:
    t = compact(title)
    if "解读" in t or "年度报表" in t:
        return "other"
    notice = bool(re.search(r"通知|通告|做好", t))
    inner = _inner(t)
    publishes = inner != t
    if _IMPLEMENTATION.search(inner) and not (notice and not publishes):
        return "implementation_report"
    annual = _ANNUAL.search(inner) or re.search(r"(?:年度报告|年报)$", title_core(inner))
    if annual and (publishes or not notice):
        return "annual_report"
    if annual:
        return "other"  # 关于做好…年度报告工作的通知: asks for reports, is none
    if _PLAN_OF_POINTS.search(inner):
        return "work_plan"
    if _POINTS.search(inner):
        return "work_points"
    if _PLAN.search(inner):
        return "work_plan"
    return None


def _by_body(body: str) -> str | None:
    head = body[:8000]
    marks = {m.group(0) for m in _REPORT_MARKS.finditer(head)}
    self_named = _REPORT_SELF.search(head[:2000]) and re.search(r"统计期限|统计时限", head[:2000])
    if len(marks) >= 3 or marks and self_named:
        return "annual_report"
    if _TASK_TABLE.search(head[:600]) and re.search(r"工作任务|任务", head[:300]):
        return "work_points"
    return None


def classify(title: str | None, body: str) -> str:
    found = _by_title(title) if title else None
    if found:
        return found
    if not title:
        found = _by_body(body)
        if found:
            return found
    notice = bool(title and re.search(r"通知|通告|做好|印发|转发", title))
    tail = body[:6000] + body[-1500:]
    if not notice and re.search(r"特此报告|现将.{0,30}(?:落实|完成|推进|开展)?情况(?:报告|汇报)如下", tail):
        return "implementation_report"
    return "other"
