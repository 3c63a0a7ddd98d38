// Chinese and English labels. The language is remembered in localStorage; Chinese by default
// unless the browser prefers another language.
const texts = {
  title: ['运营控制台', 'Operator console'],
  logout: ['退出', 'Log out'],
  'login.title': ['登录', 'Log in'],
  'login.username': ['用户名', 'Username'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Log in'],
  'login.bad': ['用户名或密码错误', 'Wrong username or password'],
  'nav.live': ['实时', 'Live'],
  'nav.records': ['乘车记录', 'Ride records'],
  'nav.stats': ['客流与收入', 'Ridership & revenue'],
  'nav.devices': ['设备', 'Devices'],
  'nav.cards': ['卡务', 'Card service'],
  'nav.audit': ['审计日志', 'Audit log'],
  'live.title': ['实时刷卡', 'Live taps'],
  'live.rate': ['刷卡/秒', 'Taps / s'],
  'live.denied': ['拒绝/秒', 'Denied / s'],
  'live.revenue': ['收入/秒 (¥)', 'Revenue / s (¥)'],
  'live.total': ['本次会话刷卡', 'Taps this session'],
  'live.sampled': [
    '服务器端汇总：计数包含每一次刷卡；下表为每 0.5 秒最多 25 条的抽样。',
    'Aggregated on the server: counts include every tap; the table shows a sample of at most 25 taps per 0.5 s.',
  ],
  'live.sampling': ['抽样中', 'sampled'],
  'live.all': ['全部显示', 'all shown'],
  'live.waiting': ['等待刷卡…', 'Waiting for taps…'],
  'live.connected': ['已连接', 'connected'],
  'live.offline': ['连接中断，正在重连…', 'connection lost, reconnecting…'],
  'live.chart': ['最近 60 秒刷卡量', 'Taps over the last 60 s'],
  'col.time': ['时间', 'Time'],
  'col.card': ['卡号', 'Card'],
  'col.operator': ['运营方', 'Operator'],
  'col.device': ['设备', 'Device'],
  'col.where': ['线路/站点', 'Line / stop'],
  'col.dir': ['方向', 'Dir.'],
  'col.fare': ['票价 ¥', 'Fare ¥'],
  'col.balance': ['余额 ¥', 'Balance ¥'],
  'col.reason': ['原因', 'Reason'],
  'col.concession': ['优惠', 'Concession'],
  'col.kind': ['类型', 'Kind'],
  'rec.title': ['乘车记录查询', 'Search ride records'],
  'rec.card': ['卡（令牌或卡号）', 'Card (token or number)'],
  'rec.route': ['线路', 'Route / line'],
  'rec.device': ['设备', 'Device'],
  'rec.operator': ['运营方', 'Operator'],
  'rec.from': ['开始时间', 'From'],
  'rec.to': ['结束时间', 'To'],
  'rec.search': ['查询', 'Search'],
  'rec.csv': ['导出 CSV', 'Export CSV'],
  'rec.newer': ['上一页', 'Newer'],
  'rec.older': ['下一页', 'Older'],
  'rec.none': ['没有记录', 'No records'],
  'rec.page': ['第 {n} 页', 'Page {n}'],
  'stats.title': ['客流与收入', 'Ridership and revenue'],
  'stats.range': ['时间范围', 'Range'],
  'stats.today': ['最近 24 小时', 'Last 24 hours'],
  'stats.week': ['最近 7 天', 'Last 7 days'],
  'stats.month': ['最近 30 天', 'Last 30 days'],
  'stats.rides': ['乘次', 'Rides'],
  'stats.revenue': ['收入 ¥', 'Revenue ¥'],
  'stats.denied': ['拒绝', 'Denied'],
  'stats.free': ['免费乘次（补贴）', 'Free rides (subsidy)'],
  'stats.forgone': ['优惠减免 ¥（补贴申报）', 'Fare forgone ¥ (subsidy claim)'],
  'stats.perHour': ['每小时乘次', 'Rides per hour'],
  'stats.perLine': ['各线路收入', 'Revenue per line'],
  'stats.perConcession': ['各优惠群体乘次', 'Rides per concession group'],
  'stats.none': ['该时段没有乘车', 'No rides in this range'],
  'conc.none': ['普通', 'Standard'],
  'conc.senior_free': ['老年人免费', 'Senior (free)'],
  'conc.disabled_free': ['残疾人免费', 'Disabled (free)'],
  'conc.student_half': ['学生半价', 'Student (half)'],
  'dev.title': ['设备状态', 'Device fleet'],
  'dev.behind': ['{n} 台设备需要关注', '{n} devices need a look'],
  'dev.allgood': ['所有设备正常', 'All devices are up to date'],
  'dev.status': ['状态', 'Status'],
  'dev.online': ['在线', 'online'],
  'dev.offline': ['离线', 'offline'],
  'dev.lastSeen': ['最后上报', 'Last seen'],
  'dev.list': ['名单版本', 'List version'],
  'dev.backlog': ['未上传', 'Journal backlog'],
  'dev.skew': ['时钟偏差', 'Clock skew'],
  'dev.version': ['软件版本', 'Software'],
  'dev.profile': ['类型', 'Kind'],
  'dev.lag': ['落后 {n} 版', '{n} behind'],
  'dev.needsLook': ['需关注', 'behind'],
  'cards.title': ['卡务服务', 'Card service'],
  'cards.find': ['卡号或卡令牌', 'Card number or token'],
  'cards.lookup': ['查找', 'Find'],
  'cards.status': ['状态', 'Status'],
  'cards.balance': ['余额 ¥', 'Balance ¥'],
  'cards.masked': ['卡号', 'Card'],
  'cards.concessions': ['优惠资格', 'Concessions'],
  'cards.topup': ['充值', 'Top up'],
  'cards.amount': ['金额 ¥', 'Amount ¥'],
  'cards.lost': ['挂失', 'Report lost'],
  'cards.found': ['解挂', 'Unfreeze'],
  'cards.records': ['交易记录', 'Records'],
  'cards.notFound': ['找不到这张卡', 'No such card'],
  'cards.done': ['已完成', 'Done'],
  'cards.confirmLost': ['确认挂失这张卡？', 'Report this card lost?'],
  'status.active': ['正常', 'active'],
  'status.lost': ['已挂失', 'lost'],
  'status.frozen': ['已冻结', 'frozen'],
  'audit.title': ['审计日志', 'Audit log'],
  'audit.actor': ['操作人', 'Who'],
  'audit.role': ['角色', 'Role'],
  'audit.action': ['操作', 'Action'],
  'audit.target': ['对象', 'Target'],
  'audit.result': ['结果', 'Result'],
  'err.forbidden': ['无权限', 'Not allowed'],
  'err.generic': ['出错了：{m}', 'Something went wrong: {m}'],
};

let lang = localStorage.getItem('lang') ?? (navigator.language.startsWith('zh') ? 'zh' : 'en');
if (lang !== 'zh' && lang !== 'en') lang = 'zh';

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = next;
  localStorage.setItem('lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

export function t(key, vars = {}) {
  const pair = texts[key];
  let s = pair ? pair[lang === 'zh' ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

/** Fills every [data-i18n] element under root. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
