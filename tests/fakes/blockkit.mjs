// Block Kit checks as Slack documents them (docs.slack.dev, "Blocks" and "Block elements"
// references), written from the documentation, not from Tidings' code: the block types, the
// members each may have, the text object rules and every length limit. `check(blocks)`
// returns Slack-style error strings ("... [json-pointer:/blocks/0/text/text]"), empty if valid.

const len = (s) => [...s].length; // Slack counts characters, not bytes

const BLOCK_TYPES = new Set(['actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'rich_text', 'section', 'video', 'markdown']);

function textObject(t, at, errors, { plainOnly = false, max = 3000 } = {}) {
  if (!t || typeof t !== 'object' || Array.isArray(t)) return errors.push(`must provide an object [json-pointer:${at}]`);
  for (const k of Object.keys(t)) {
    if (!['type', 'text', 'emoji', 'verbatim'].includes(k)) errors.push(`unknown field "${k}" [json-pointer:${at}]`);
  }
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') return errors.push(`must be a valid enum value [json-pointer:${at}/type]`);
  if (plainOnly && t.type !== 'plain_text') errors.push(`must be a valid enum value [json-pointer:${at}/type]`);
  if (typeof t.text !== 'string') return errors.push(`must be a string [json-pointer:${at}/text]`);
  if (len(t.text) < 1) errors.push(`must be more than 0 characters [json-pointer:${at}/text]`);
  if (len(t.text) > max) errors.push(`must be less than ${max + 1} characters [json-pointer:${at}/text]`);
  if ('emoji' in t && (t.type !== 'plain_text' || typeof t.emoji !== 'boolean')) errors.push(`emoji is only for plain_text [json-pointer:${at}/emoji]`);
  if ('verbatim' in t && (t.type !== 'mrkdwn' || typeof t.verbatim !== 'boolean')) errors.push(`verbatim is only for mrkdwn [json-pointer:${at}/verbatim]`);
}

function allowed(obj, keys, at, errors) {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) errors.push(`unknown field "${k}" [json-pointer:${at}]`);
}

function button(e, at, errors) {
  allowed(e, ['type', 'text', 'action_id', 'url', 'value', 'style', 'confirm', 'accessibility_label'], at, errors);
  textObject(e.text, `${at}/text`, errors, { plainOnly: true, max: 75 });
  if ('url' in e && (typeof e.url !== 'string' || len(e.url) > 3000 || len(e.url) < 1)) errors.push(`must be less than 3001 characters [json-pointer:${at}/url]`);
  if ('action_id' in e && (typeof e.action_id !== 'string' || len(e.action_id) > 255 || len(e.action_id) < 1)) errors.push(`must be less than 256 characters [json-pointer:${at}/action_id]`);
  if ('value' in e && (typeof e.value !== 'string' || len(e.value) > 2000)) errors.push(`must be less than 2001 characters [json-pointer:${at}/value]`);
  if ('style' in e && !['primary', 'danger'].includes(e.style)) errors.push(`must be a valid enum value [json-pointer:${at}/style]`);
}

function block(b, at, errors) {
  if (!b || typeof b !== 'object' || Array.isArray(b)) return errors.push(`must provide an object [json-pointer:${at}]`);
  if (!BLOCK_TYPES.has(b.type)) return errors.push(`must be a valid enum value [json-pointer:${at}/type]`);
  if ('block_id' in b && (typeof b.block_id !== 'string' || len(b.block_id) > 255)) errors.push(`must be less than 256 characters [json-pointer:${at}/block_id]`);
  switch (b.type) {
    case 'header':
      allowed(b, ['type', 'block_id', 'text'], at, errors);
      return textObject(b.text, `${at}/text`, errors, { plainOnly: true, max: 150 });
    case 'section':
      allowed(b, ['type', 'block_id', 'text', 'fields', 'accessory', 'expand'], at, errors);
      if (!('text' in b) && !('fields' in b)) return errors.push(`must provide either text or fields [json-pointer:${at}]`);
      if ('text' in b) textObject(b.text, `${at}/text`, errors);
      if ('fields' in b) {
        if (!Array.isArray(b.fields) || b.fields.length > 10 || b.fields.length < 1) errors.push(`must provide 1 to 10 items [json-pointer:${at}/fields]`);
        else b.fields.forEach((f, i) => textObject(f, `${at}/fields/${i}`, errors, { max: 2000 }));
      }
      return;
    case 'actions': {
      allowed(b, ['type', 'block_id', 'elements'], at, errors);
      if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 25) return errors.push(`must provide 1 to 25 items [json-pointer:${at}/elements]`);
      const ids = new Set();
      b.elements.forEach((e, i) => {
        const p = `${at}/elements/${i}`;
        if (!e || e.type !== 'button') return errors.push(`unsupported element type [json-pointer:${p}/type]`);
        button(e, p, errors);
        if (e.action_id !== undefined) {
          if (ids.has(e.action_id)) errors.push(`action_id already exists [json-pointer:${p}/action_id]`);
          ids.add(e.action_id);
        }
      });
      return;
    }
    case 'divider':
      return allowed(b, ['type', 'block_id'], at, errors);
    case 'context':
      allowed(b, ['type', 'block_id', 'elements'], at, errors);
      if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 10) return errors.push(`must provide 1 to 10 items [json-pointer:${at}/elements]`);
      b.elements.forEach((e, i) => (e && e.type === 'image' ? null : textObject(e, `${at}/elements/${i}`, errors)));
      return;
    default:
      return; // other types: accepted without a closer look (Tidings sends none)
  }
}

/** Slack's checks of a message's `blocks`. */
export function check(blocks) {
  const errors = [];
  if (!Array.isArray(blocks)) return ['must provide an array [json-pointer:/blocks]'];
  if (blocks.length > 50) errors.push('must provide no more than 50 items [json-pointer:/blocks]');
  blocks.forEach((b, i) => block(b, `/blocks/${i}`, errors));
  return errors;
}
