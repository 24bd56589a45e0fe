import type { WorkdayCalendar } from '../calendar/workday.policy.ts';

/**
 * The 2026 rows migration 0003 seeds from chinese-days@1.5.7 around National Day: 中秋 Fri 25 Sep off,
 * 国庆 1–7 Oct off (weekdays 1, 2, 5, 6, 7), make-up working days Sun 20 Sep and Sat 10 Oct. 2027 has no data.
 */
export const cal2026: WorkdayCalendar = {
  years: new Set([2026]),
  off: new Set(['2026-09-25', '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']),
  on: new Set(['2026-09-20', '2026-10-10']),
};
