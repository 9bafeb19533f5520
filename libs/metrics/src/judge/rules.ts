/**
 * The judge rule texts of CoIN's rule.json (docs/protocol.md#judge-prompts), verbatim: the judge sees them, so a
 * changed character changes the scores. Only the two CoIN rules are used; rule.json's LLaVA-bench
 * rules are not.
 */
export type JudgeRule = 'CoIN' | 'CoIN_Grounding';

export const JUDGE_SYSTEM_MESSAGE = 'You are a helpful and precise assistant for checking the quality of the answer.';

const COIN_RULE_TAIL =
  'Please rate the accuracy of its responses according to the ground truth answer displayed above. The assistant receives an overall score on a scale of 0 to 10, where a higher score indicates better overall performance.\n' +
  'Please output a single line containing only a values indicating the scores for the Assistant.';

export const JUDGE_RULES: Readonly<Record<JudgeRule, { readonly role: string; readonly prompt: string }>> = {
  CoIN: {
    role: 'Assistant',
    prompt: `We would like to request your feedback on the performance of an AI assistants in response to the user question displayed above.\n${COIN_RULE_TAIL}`,
  },
  CoIN_Grounding: {
    role: 'Assistant',
    prompt:
      'We would like to request your feedback on the performance of an AI assistants in response to the user question displayed above. The user asks the question on observing an image. For your reference, the visual content in the image is represented with one descriptive sentence describing the same image and the bounding box coordinates of each object in the scene. These coordinates are in the form of bounding boxes, represented as (x1, y1, x2, y2) with floating numbers ranging from 0 to 1. These values correspond to the top left x, top left y, bottom right x, and bottom right y. \n' +
      COIN_RULE_TAIL,
  },
};

/** Grounding is judged with the box-aware rule; every other task with the plain one. */
export function judgeRuleForTask(task: string): JudgeRule {
  return task.toLowerCase() === 'grounding' ? 'CoIN_Grounding' : 'CoIN';
}
