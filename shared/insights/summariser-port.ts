/** What turns a period's findings into the summary's prose (summariser.ts chooses the adapter). */
import type { Findings } from "./findings.ts";

export interface Summariser {
  summarise(f: Findings, timeRange: string): Promise<string>;
}
