// Reason codes of domain.md §5.1: what each means, the action it causes by default, and the
// plain-language text the operator console shows (English and Simplified Chinese).
// The rules engine (src/main/rules) raises them; the console and the central service read them.

export const REASON_CODES = [
  'OK',
  'D01',
  'D02',
  'D03',
  'D04',
  'D05',
  'D06',
  'D07',
  'D08',
  'D09',
  'D10',
  'W01',
  'W02',
  'P01',
  'P02',
  'P03',
  'P04',
  'P05',
  'R01',
  'R02',
  'R03',
  'R04',
  'R05',
  'R06',
  'M01',
  'M02',
  'M03',
  'M04',
  'M05',
  'M06',
  'S01',
  'S02',
  'S03',
  'S04',
  'S05',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** What the conveyor does with a parcel. */
export type Action = 'RELEASE' | 'HOLD' | 'HOLD_LOCK';

/** What one reason asks for: ALERT releases but records a data-quality signal; AS_SET is S05's operator choice. */
export type ReasonAction = 'RELEASE' | 'ALERT' | 'HOLD' | 'HOLD_LOCK' | 'AS_SET';

export type ReasonFamily = 'OK' | 'D' | 'W' | 'P' | 'R' | 'M' | 'S';

export interface ReasonInfo {
  code: ReasonCode;
  name: string;
  family: ReasonFamily;
  /** Default action; M05 and D10 can be configured down to ALERT, AEO facilitation lowers some M codes. */
  action: ReasonAction;
  en: string;
  zh: string;
  /** What the operator should do next (English). */
  next: string;
}

const r = (code: ReasonCode, name: string, action: ReasonAction, en: string, zh: string, next: string): ReasonInfo => ({
  code,
  name,
  family: code === 'OK' ? 'OK' : (code[0] as ReasonFamily),
  action,
  en,
  zh,
  next,
});

export const REASONS: Readonly<Record<ReasonCode, ReasonInfo>> = {
  OK: r('OK', 'CLEAR', 'RELEASE', 'All checks passed', '全部检查通过', 'Nothing to do.'),
  D01: r('D01', 'NO_DECLARATION', 'HOLD', 'No single declaration is cached for this waybill', '未找到该运单的清单数据', 'Check the waybill number and whether the declaration has been synchronised.'),
  D02: r('D02', 'NOT_RELEASED', 'HOLD', 'Customs has not released this declaration', '清单未放行', 'Keep the parcel until customs releases the declaration.'),
  D03: r('D03', 'CUSTOMS_SELECTED', 'HOLD', 'Selected for inspection', '布控查验', 'Take the parcel to the inspection bench for an officer.'),
  D04: r('D04', 'DETAINED', 'HOLD_LOCK', 'Customs has detained this parcel', '海关扣留', 'Keep the parcel locked aside and inform the supervisor; the station cannot release it.'),
  D05: r('D05', 'RETURN_FLOW', 'HOLD', 'Return or cancellation in progress', '退运或撤单处理中', 'Move the parcel to the returns lane.'),
  D06: r('D06', 'THREE_LIST_MISMATCH', 'HOLD', 'Order, payment and waybill do not agree', '三单信息不一致', 'Ask the declarant to correct the order, payment or waybill data.'),
  D07: r('D07', 'LIMIT_EXCEEDED', 'HOLD', 'Cross-border purchase limit exceeded', '超过跨境电商交易限值', 'Hold for an officer: the order exceeds the single-transaction limit.'),
  D08: r('D08', 'NOT_ON_POSITIVE_LIST', 'HOLD', 'Goods not on the cross-border positive list', '商品不在跨境电商零售进口清单内', 'Hold for an officer: the tariff code is not eligible for cross-border retail import.'),
  D09: r('D09', 'DUPLICATE_SCAN', 'HOLD', 'This waybill was already released or closed', '重复过机：该运单已放行或已结关', 'Check for a duplicate label or a parcel sent round again.'),
  D10: r('D10', 'STALE_DATA', 'HOLD', 'Customs data is too old while offline', '离线状态下海关数据已过期', 'Restore the connection to the central service, or hold until data is refreshed.'),
  W01: r('W01', 'WEIGHT_MISMATCH', 'HOLD', 'Measured weight does not match the declared weight', '实际重量与申报重量不符', 'Weigh the parcel again; if it still differs, open it for inspection.'),
  W02: r('W02', 'WEIGHT_DATA_QUALITY', 'ALERT', 'Small weight difference (recorded only)', '重量轻微差异（仅记录）', 'Nothing to do; recorded for data quality.'),
  P01: r('P01', 'FIREARM', 'HOLD_LOCK', 'Possible firearm, imitation gun or ammunition', '疑似枪支、仿真枪或弹药', 'Do not open. Lock the parcel aside and call the supervisor.'),
  P02: r('P02', 'CONTROLLED_KNIFE', 'HOLD_LOCK', 'Possible controlled knife', '疑似管制刀具', 'Lock the parcel aside and call the supervisor.'),
  P03: r('P03', 'EXPLOSIVE_INCENDIARY', 'HOLD_LOCK', 'Possible explosive or incendiary items', '疑似爆炸或易燃物品', 'Do not open. Lock the parcel aside and call the supervisor.'),
  P04: r('P04', 'NARCOTIC_SUSPECT', 'HOLD_LOCK', 'Unexplained organic powder or block', '疑似毒品（不明有机粉末或块状物）', 'Do not open. Lock the parcel aside and call the supervisor.'),
  P05: r('P05', 'CURRENCY_MEDIA', 'HOLD', 'Banknotes, coins or printed matter for review', '疑似货币或印刷品，需审查', 'Hold for an officer to review the content.'),
  R01: r('R01', 'LITHIUM_BATTERY', 'HOLD', 'Undeclared or too many lithium batteries', '锂电池未申报或数量超限', 'Hold for an officer: check the batteries against the rules.'),
  R02: r('R02', 'LIQUID_AEROSOL', 'HOLD', 'Liquids or aerosols undeclared or above the limit', '液体或气雾剂未申报或超限', 'Hold for an officer: check the liquids and aerosols.'),
  R03: r('R03', 'MEDICINE', 'HOLD', 'Possible medicine', '疑似药品', 'Hold for an officer: medicines are restricted.'),
  R04: r('R04', 'TOBACCO_ALCOHOL', 'HOLD', 'Tobacco, e-cigarettes or alcohol', '烟草、电子烟或酒类', 'Hold for an officer: tobacco and alcohol are restricted.'),
  R05: r('R05', 'RADIO_DRONE', 'HOLD', 'Radio transmitter or drone', '无线电设备或无人机', 'Hold for an officer: radio equipment is restricted.'),
  R06: r('R06', 'QUARANTINE', 'HOLD', 'Plants, seeds, soil or meat (quarantine)', '动植物检疫物品', 'Hold for quarantine inspection.'),
  M01: r('M01', 'UNDECLARED_GOODS', 'HOLD', 'Goods in the image that are not declared', '图像中发现未申报物品', 'Open the parcel and compare its content with the declaration.'),
  M02: r('M02', 'MISDECLARED_CATEGORY', 'HOLD', 'Declared category differs from what the image shows', '申报品类与图像不符', 'Open the parcel and compare its content with the declaration.'),
  M03: r('M03', 'QUANTITY_MISMATCH', 'HOLD', 'Number of items differs from the declaration', '数量与申报不符', 'Count the items against the declaration.'),
  M04: r('M04', 'CONCEALMENT_ANOMALY', 'HOLD', 'Dense region the model cannot explain (possible concealment)', '不明高密度区域（疑似夹藏）', 'Open the parcel and check for hidden compartments.'),
  M05: r('M05', 'UNDERVALUATION', 'HOLD', 'Declared value below the price floor for what the image shows', '申报价格低于该品类最低价格', 'Hold for an officer to check the declared value.'),
  M06: r('M06', 'PERSONAL_USE_QTY', 'HOLD', 'Quantity beyond reasonable personal use', '超出合理自用数量', 'Hold for an officer to check the quantity.'),
  S01: r('S01', 'NO_READ', 'HOLD', 'Barcode not read, or several barcodes', '条码未读取或读到多个条码', 'Scan the label by hand and send the parcel through again.'),
  S02: r('S02', 'TRACKING_LOST', 'HOLD', 'Parcel, image and barcode could not be matched', '包裹、图像与条码对应失败', 'Send the parcel through again.'),
  S03: r('S03', 'LOW_CONFIDENCE', 'HOLD', 'Image unclear or detection uncertain: operator review', '图像不清或识别置信度低，需人工判读', 'Look at the image and decide; without a decision the parcel is held.'),
  S04: r('S04', 'MODEL_UNAVAILABLE', 'HOLD', 'Image inspection not available', '智能识图不可用', 'Check the inspection model; the parcel is held until it works.'),
  S05: r('S05', 'OPERATOR_OVERRIDE', 'AS_SET', 'Decision changed by an operator', '操作员人工改判', 'Nothing to do; both decisions are kept.'),
};

export function isReasonCode(s: string): s is ReasonCode {
  return Object.hasOwn(REASONS, s);
}

const SEVERITY: Readonly<Record<Action, number>> = { RELEASE: 0, HOLD: 1, HOLD_LOCK: 2 };

/** The stricter of two actions (RELEASE < HOLD < HOLD_LOCK). */
export function stricter(a: Action, b: Action): Action {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function severity(a: Action): number {
  return SEVERITY[a];
}
