"""Every Chinese string the Telegram adapter shows, in one place. Short and friendly."""

from __future__ import annotations

# Buttons
BTN_ACCEPT = "接单"
BTN_RESOLVE = "办结"
BTN_ESCALATE = "上报"
BTN_REASSIGN = "转派"
BTN_REJECT = "退回"
BTN_SATISFIED = "👍 满意"
BTN_BASIC = "👌 基本满意"
BTN_UNSATISFIED = "👎 不满意"
BTN_CANCEL = "取消"
BTN_SKIP = "跳过"
BTN_NAMED = "实名"
BTN_ANONYMOUS = "匿名"
BTN_ARRIVE = "到场"

# Status names people see
STATUS = {
    "new": "新报事",
    "assigned": "已派单",
    "accepted": "处理中",
    "resolved": "已办结",
    "closed": "已关闭",
    "escalated": "已上报",
    "reopened": "重新办理",
    "rejected": "已退回",
}
LEVEL = {1: "网格", 2: "社区", 3: "街道", 4: "区级"}
SCORE = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
SCORE_BUTTON = {"satisfied": BTN_SATISFIED, "basic": BTN_BASIC, "unsatisfied": BTN_UNSATISFIED}
URGENT_MARK = "🚨 紧急"
ANONYMOUS_NAME = "匿名居民"

# Commands (descriptions shown in Telegram's menu)
COMMANDS_GROUP = [
    ("report", "报事：/report 后写下问题"),
    ("my", "我的报事"),
    ("case", "查看案件：/case 编号"),
    ("help", "使用说明"),
]
COMMANDS_PRIVATE = [
    ("start", "开始使用"),
    ("report", "一步步报事（可匿名）"),
    ("my", "我的报事"),
    ("case", "查看案件：/case 编号"),
    ("cancel", "退出当前步骤"),
    ("help", "使用说明"),
]
COMMANDS_STAFF = [
    ("todo", "我的待办"),
    ("case", "查看并处理案件：/case 编号"),
    ("stats", "统计：/stats today|week|month"),
    ("risk", "网格风险五色图"),
    ("export", "导出案件"),
    ("status", "机器人状态"),
    ("report", "一步步报事"),
    ("my", "我的报事"),
    ("cancel", "退出当前步骤"),
    ("help", "使用说明"),
]

# Residents
START = (
    "您好，我是网格通 🏘️\n"
    "在网格群里直接说出问题，我会登记并派给负责的同志；"
    "也可以在这里发 /report 一步步报事，支持匿名。\n"
    "/my 查看我的报事，/case 编号 查看进度。"
)
START_STAFF = "您好，{name}！您的待办请发 /todo，统计请发 /stats。"
HELP = (
    "📮 报事：在网格群里直接描述问题（可附照片、位置），或发 /report 问题内容。\n"
    "🔒 匿名报事：私聊我发 /report。\n"
    "📋 进度：/my 查看我的报事，/case 编号 查看详情。\n"
    "👍 办结后请给处理结果打分，您的评价很重要。"
)
HOW_TO = (
    "您好，我是网格通 🏘️ 有问题直接在群里说，比如「3号楼门口路灯坏了」，我会登记并派给网格员。\n"
    "想匿名或一步步报事，请私聊我发 /report；查进度发 /my。"
)
REPORT_NEEDS_TEXT = "请在 /report 后面写下要反映的问题，或者私聊我发 /report 一步步来。"
OPENED_PRIVATE = "✅ 已登记，案件编号 <b>{number}</b>（{category}）。处理进展会第一时间告诉您。"
ALREADY_YOURS = "您已经反映过这个问题（案件 <b>{number}</b>），正在办理中，进展会告诉您。"
JOINED = "这个问题已有人反映（案件 <b>{number}</b>），已为您记为同问，现有 {count} 人关注。"
LIMITED = "您报事有点频繁啦，请稍后再试 🙏"
FAILED = "抱歉，这一步没有成功，请稍后再试。"
STALE_BUTTON = "这个按钮已经失效了。"
DONE_ALREADY = "这件事已经处理过了。"
NOT_ALLOWED = "抱歉，您没有处理这个案件的权限。"  # only where a case is involved
STAFF_ONLY = "抱歉，{command} 仅向网格员和各级工作人员开放。如需反映问题，直接在群里说明即可。"
UNKNOWN_CASE = "没有找到这个案件。"
CASE_USAGE = "请这样用：/case 2026-000123"
NO_CASES = "您还没有报过事。"
MY_CASES_HEAD = "您的报事："
ANONYMOUS_MARK = "（匿名）"
START_BOT_FOR_MY = "{mention} 您的报事记录只私信发给您：请先私聊我发 /start，再发 /my。"
NO_TODO = "🎉 暂无待办。"
TODO_HEAD = "您的待办（紧急和最早的在前），点下面的按钮打开案件："
TODO_BUTTON = "{urgent}{number} · {category} · {status}"
EMPTY_INPUT = "内容是空的，请再发一次文字。"
TOO_LONG = "内容太长了（{length} 字），请精简到 {limit} 字以内。"
UNSUPPORTED = "我只能看懂文字、照片和位置哦。"

# Private report conversation
ASK_TEXT = "请描述您要反映的问题（随时发 /cancel 退出）："
ASK_PHOTO = "可以发一张现场照片，或点「跳过」："
ASK_PLACE = "请发送位置，或写下具体地点（如 阳光小区3号楼），也可以「跳过」："
ASK_GRID = "请选择您所在的网格："
ASK_ANONYMOUS = "是否匿名？选择匿名后，群里不会显示您的名字。"
REPORT_CANCELLED = "已取消，需要时随时再发 /report。"
NEED_TEXT = "请先用文字描述问题。"

# Handlers
ASK_FOR_CASE = "案件 <b>{number}</b>：{question}"
PROMPT_REPLACED = "（案件 {number} 的问题不再等待回复，需要时请重新点按钮。）\n"
ASK_RESOLVE_NOTE = "请写下办理结果（可再附一张照片），或发 /cancel 取消："
ASK_RESOLVE_PHOTO = "收到。需要附一张处理后的照片吗？发照片，或点「跳过」完成办结。"
ASK_ESCALATE_REASON = "请写下上报的原因，或发 /cancel 取消："
ASK_REJECT_REASON = "为什么退回？点一个原因，或直接写下原因（会告知报事人）："
BTN_REJECT_NOT_A_REPORT = "不是报事（闲聊、误发）"
BTN_REJECT_ELSEWHERE = "不归这里办（请找物业或其他部门）"
# What the reporter is told when the handler chose a reason by its button.
REJECT_NOTE = {
    "not_report": "经核实，这条消息不是需要办理的问题。",
    "elsewhere": "这个问题不归网格办理，请联系物业或相关部门；需要帮助可以再问网格员。",
}
ASK_REASSIGN = "转派给谁？"
ASK_CATEGORY = "改为哪个类别？案件会按新类别重新派单。"
BTN_RECATEGORISE = "改类别…"
ASK_UNSATISFIED_REASON = "抱歉没有让您满意 🙏 可以说说原因吗？（直接回复文字，也可以不说）"
THANKS_REASON = "谢谢，已转告处理人员和上级。"
THANKS_REASON_HELD = "谢谢，已记下。现在是免打扰时段，将于 {when} 转告处理人员和上级。"
PROMPT_CANCELLED = "已取消。"
QUESTION_EXPIRED = "关于案件 {number} 的问题超过一小时没有回复，已不再等待；需要时请重新点按钮。"
REPORT_EXPIRED = "上次的报事超过 30 分钟没有完成，已取消；需要时请重新发 /report。"
ACCEPTED = "已接单：{number}"
ARRIVED = "已到场：{number}"
RESOLVED = "已办结：{number}，已请报事人评价。"
ESCALATED = "已上报：{number} → {level}"
REASSIGNED = "已转派：{number} → {name}"
RECATEGORISED = "已改类别：{number} → {category}"
REJECTED = "已退回：{number}"
RATED = {
    "satisfied": "谢谢您的评价！",
    "basic": "谢谢您的评价，我们会继续改进。",
    "unsatisfied": "收到，已退回重新办理，会尽快给您答复。",
}
RATED_CHOICE = "您的评价：{score}"
RATED_CHOICE_GROUP = "报事人的评价：{score}"
# What the quiet hours hold is not said to be sent: the bot says when it will be.
RESOLVED_HELD = "已办结：{number}。现在是免打扰时段，评价邀请将于 {when} 发给报事人。"
REJECTED_HELD = "已退回：{number}。现在是免打扰时段，将于 {when} 告知报事人。"
HELD_FOR_ASSIGNEE = "（免打扰时段，对方将于 {when} 收到通知）"
WHEN_TODAY = "{time}"
WHEN_TOMORROW = "明天 {time}"
WHEN_LATER = "{month}月{day}日 {time}"
TOP_LEVEL = "已经是区级，不能再上报了。"
NOTE_REQUIRED = "需要写明原因。"
NO_TARGETS = "没有可以转派的对象。"

# Notices (rendered from the outbox)
CARD = (
    "{urgent}📋 <b>案件 {number}</b>\n"
    "类别：{category} · {level}\n"
    "状态：{status}{assignee}\n"
    "{place}"
    "内容：{text}\n"
    "报事人：{reporter}{followers}"
)
CARD_PLACE = "地点：{place}\n"
CARD_ASSIGNEE = " · {name}"
CARD_FOLLOWERS = "\n同问：{count} 人"
# A handler's card: its first line names where the case stands, and changes as it moves.
HANDLER_CARD = "{urgent}{head} <b>{number}</b>（{category} · {level}）\n状态：{status}{assignee}\n{why}{place}内容：{text}\n报事人：{reporter}{due}"
HANDLER_HEAD = {
    "new": "📥 新案件",
    "reassigned": "↪️ 转派给您的案件",
    "escalated": "⬆️ 上报到您这里的案件",
    "accepted": "🔧 处理中",
    "reopened": "🔁 重新办理",
    "resolved": "✅ 已办结",
    "closed": "✅ 已办结",
    "rejected": "↩️ 已退回",
    "moved": "➡️ 已转交",
}
HANDLER_DUE = "\n受理时限：{accept_due}　办结时限：{resolve_due}"
HANDLER_RESOLVE_DUE = "\n办结时限：{resolve_due}"
REOPENED_WHY = "🔁 报事人不满意，退回重新办理：{reason}\n"
REOPENED_NO_REASON = "🔁 报事人不满意，退回重新办理。\n"
NOTE_WHY = "说明：{note}\n"
CLOSED_SCORE = "\n报事人评价：{score}"
INFORM = "ℹ️ 知会：{urgent}案件 <b>{number}</b>（{category} · {level}）已派给 {assignee} 办理。\n内容：{text}"
REPORTER_UPDATE = {
    "accepted": "🙋 您反映的问题（{number}）已由 {actor} 接单，正在处理。",
    "coming": "🏃 您反映的紧急情况（{number}）：{actor}（{role}）已接单，正在赶来。请注意安全。",
    "arrived": "📍 您反映的紧急情况（{number}）：{actor}（{role}）已到场。",
    "escalated": "⬆️ 您反映的问题（{number}）已上报到{level}办理。{note}",
    "rejected": "您反映的问题（{number}）被 {actor} 退回：{note}",
}
RATING_REQUEST = "✅ 您反映的问题（{number}）已办结：{note}\n请为处理结果打分："
RESOLUTION = "✅ 案件 <b>{number}</b> 已办结：{note}\n觉得办得好，就给这条消息点个 👍 吧！"
# The resolution for a reporter the bot cannot write to: it names them and carries the buttons.
RESOLUTION_RATE = "✅ 案件 <b>{number}</b> 已办结：{note}\n{mention} 请为处理结果打分（只有您能打分）；邻居们觉得办得好，可以给这条消息点个 👍。"
SUPERVISOR_ALERT = {
    "reopened": "⚠️ 案件 <b>{number}</b>（{assignee}）报事人不满意，已重新办理。",
    "escalated": "⚠️ 案件 <b>{number}</b> 已从{from_level}上报到{level}。",
}
UNSATISFIED_REASON = "💬 案件 <b>{number}</b> 报事人不满意的原因：{reason}"
# A resident's message with their phone or ID number, removed once the case was open.
PII_WORDS = {"phone": "电话", "id_number": "身份证号", "phone,id_number": "电话和身份证号"}
PII_HIDDEN = "\n🔒 为保护隐私，已隐藏您留的{what}，网格员可以看到。"
PII_HINT = (
    "💡 {grid}群里有居民报事时留了电话或身份证号，原消息大家都能看到。"
    "把我设为群管理员并打开「删除消息」权限，我就能在立案后替居民隐藏这类消息"
    "（案件里仍保留，网格员可以看到）。"
)
START_BOT_PLEASE = "{mention} 您有一条关于案件 {number} 的消息，请私聊我发 /start 后查看。"
REMINDER = "⏰ 催办：案件 <b>{number}</b>（{category}）将于 {due} 到期，请尽快处理。"
OVERDUE = "⏰ 案件 <b>{number}</b> 已超期，请尽快处理。"
NO_NOTE = "（无说明）"

# /status
STATUS_HEAD = "🤖 网格通运行状态"
STATUS_ADMIN_OK = "✅ {grid}：是管理员，点赞会被统计"
STATUS_ADMIN_MISSING = "⚠️ {grid}：不是管理员，点赞（👍 表情）不会被统计"
STATUS_UNREACHABLE = "❌ {grid}：群不可达"
STATUS_OUTBOX = "待发送消息：{pending} 条，失败：{failed} 条"

# Urgent cases: what to do now, whom to call, who is coming
EMERGENCY_HEAD = "🆘 <b>紧急情况，请先做这些：</b>"
EMERGENCY_CALL = "📞 立即拨打：{numbers}"
EMERGENCY_NUMBER = "{name} <b>{number}</b>"
EMERGENCY_ADVICE = "⚠️ {advice}"
EMERGENCY_HELP_COMING = "🔔 已同时通知：{names}，谁先接单谁负责。"
EMERGENCY_ON_THE_WAY = "🏃 {name}（{role}）已接单，正在赶来。"
EMERGENCY_ON_SCENE = "📍 {name}（{role}）已到场。"
SERVICE_NAMES = {
    "fire": "消防",
    "police": "报警",
    "ambulance": "急救",
    "gas_company": "燃气抢修",
    "power_company": "电力抢修",
}
# One line of safety advice per hazard; a district may write its own in [emergency.advice].
SAFETY_ADVICE = {
    "gas": "不要开关电灯电器、不要点火，不要在屋里打电话；开窗通风，马上离开，到室外再打电话。",
    "fire": "从楼梯撤离，不要乘电梯；用湿毛巾捂住口鼻，弯腰低姿走，不要回去拿东西。",
    "electricity": "不要靠近、不要用手碰，也不要用水扑救；能安全断电就先拉下总闸。",
    "water": "不要蹚水，不要进地下车库和地下室，远离电线杆和配电箱，往高处去。",
    "structure": "马上远离，不要进入或停在下方，提醒邻居绕行。",
    "lift": "被困的人请保持冷静，按警铃或打电话求救，不要扒门、不要爬出；外面的人不要强行开门，等救援。",
    "chemical": "马上离开，往上风方向走，用湿毛巾捂住口鼻，关好门窗，不要靠近查看。",
    "traffic": "注意来往车辆，提醒后车绕行；不要随意搬动伤者（起火等危险除外），等救护车到场。",
    "person": "住得近的邻居请马上去敲门看看，有情况立即拨打 120。",
    "missing": "附近的邻居请帮忙留意寻找，看到人先陪着，马上拨打 110 并在群里说一声。",
    "violence": "先保护好自己，远离现场，不要围观，不要上前；记下特征报警。",
    "general": "先确保自身安全，远离危险，等工作人员到场。",
}
ROLE_TITLES = {
    "grid_leader": "网格长",
    "grid_worker": "网格员",
    "community_staff": "社区",
    "street_staff": "街道",
    "district_staff": "区社会治理中心",
    "admin": "区社会治理中心",
    "staff": "工作人员",
}
URGENT_ALERT = {
    "new": "🚨 <b>紧急！请立即处置</b>，{minutes} 分钟内接单，谁先接单谁负责。",
    "repeat": "🚨 <b>第 {times} 次提醒：紧急案件仍无人接单！</b>请立即处置，谁先接单谁负责。",
    "escalate": "🚨 <b>紧急案件 {minutes} 分钟无人接单，已升级到您这里</b>，请立即处置。",
    "reassign": "🚨 <b>紧急案件已转派给您</b>，请立即处置。",
    "reopen": "🚨 <b>紧急案件重新办理</b>，请立即处置。",
    "edit": "🚨 <b>报事人补充了情况，案件已转为紧急</b>，{minutes} 分钟内接单，谁先接单谁负责。",
}
URGENT_TAKEN = "✅ 紧急案件 <b>{number}</b> 已由 {name}（{role}）接单处置，需要支援请与他联系。"
ON_SCENE_REMINDER = (
    "⏰ 紧急案件 <b>{number}</b>：接单 {minutes} 分钟了还没有到场，到了请点「到场」。"
)
NOT_ON_SCENE = "⚠️ 紧急案件 <b>{number}</b>（{category}）：{name}（{role}）接单已过 {minutes} 分钟，仍未到场，请督促或另派人员。"

# Review: messages that may be reports, sent quietly to the grid leader (立案 / 不是)
REVIEW_HEAD = "🔎 群里有 {count} 条消息可能是报事，请确认："
REVIEW_ITEM = "{index}. 可能是报事：「{text}」\n　　{author} · {grid} · {time}{guess}"
REVIEW_GUESS = " · 像是「{category}」"
REVIEW_FOOT = (
    "点「立案」按居民报事办理，案件卡片会回复在群里的原消息下；点「不是」关闭。{hours} 小时内有效。"
)
REVIEW_OUTCOME = {
    "accepted": "✅ 已立案 {number}",
    "rejected": "✖️ 不是报事",
    "expired": "⌛ 已失效",
}
BTN_REVIEW_ACCEPT = "{index} 立案"
BTN_REVIEW_REJECT = "{index} 不是"
REVIEW_DONE = {
    "accepted": "已立案：{number}",
    "joined": "已并入同一问题的案件 {number}（同问）",
    "rejected": "已关闭：不是报事",
}
REVIEW_ALREADY = "这条已经处理过了：{outcome}"
REVIEW_EXPIRED = "这条消息已超过 {hours} 小时，确认已失效。如需办理，请在群里回复原消息发 /report。"
REVIEW_FORBIDDEN = "只有本网格的网格长（或上级）可以确认这条消息。"
REVIEW_UNKNOWN = "没有找到这条待确认的消息。"
