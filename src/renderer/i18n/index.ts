// The console's two languages. Reason texts come from the shared reason table (REASONS), detection
// labels from LABEL_NAMES below, everything else from the typed dictionaries.
import { createContext, useContext } from 'react';
import { REASONS, isReasonCode } from '../../shared/domain/reasons.ts';
import { en, type StringKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type Lang = 'en' | 'zh-CN';
export const DICTS: Record<Lang, Record<StringKey, string>> = { en, 'zh-CN': zhCN };

const LABEL_NAMES: Record<string, { en: string; zh: string }> = {
  gun: { en: 'gun', zh: '枪支' },
  knife: { en: 'knife', zh: '刀具' },
  scissors: { en: 'scissors', zh: '剪刀' },
  battery: { en: 'battery', zh: '电池' },
  phone: { en: 'phone', zh: '手机' },
  laptop: { en: 'laptop', zh: '笔记本电脑' },
  bottle: { en: 'bottle', zh: '瓶装液体' },
  aerosol: { en: 'aerosol', zh: '气雾剂' },
  cosmetic: { en: 'cosmetic', zh: '化妆品' },
  pills: { en: 'pills', zh: '药片' },
  shoes: { en: 'shoes', zh: '鞋' },
  can: { en: 'can', zh: '罐头' },
};

export interface I18n {
  lang: Lang;
  t(key: StringKey): string;
  reason(code: string): string;
  label(name: string): string;
}

export function makeI18n(lang: Lang): I18n {
  const d = DICTS[lang];
  return {
    lang,
    t: (k) => d[k],
    reason: (code) => (isReasonCode(code) ? (lang === 'en' ? REASONS[code].en : REASONS[code].zh) : code),
    label: (name) => LABEL_NAMES[name]?.[lang === 'en' ? 'en' : 'zh'] ?? name,
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));
export const useI18n = (): I18n => useContext(I18nContext);
