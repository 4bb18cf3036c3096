/**
 * Names in a generated PyTorch module: which identifiers a node may not take (Python keywords, the
 * module's imports and method locals), and how a node's layer is reached. A layer is an attribute
 * (`self.encoder`) when its checkpoint prefix is a plain name nn.Module does not use itself; any other
 * prefix (`encoder.rnn`, `async`, `forward`) is registered with `sl.attach` at exactly that dotted
 * path and read back with `sl.layer`, so `state_dict()` names are seqloom's checkpoint names either way.
 */
import { SymbolTable } from '../framework/symbols.js';

/** Python keywords (soft ones too) and the builtins generated code calls. */
const PYTHON_WORDS = `
  False None True and as assert async await break class continue def del elif else except finally for
  from global if import in is lambda nonlocal not or pass raise return try while with yield match case
  range len list tuple dict int float bool str print super isinstance type object next iter min max sum abs
  id input map filter zip open format hash all any set vars dir
`.trim().split(/\s+/);

/** The module's imports and the parameters/locals of its methods. */
const GENERATED_NAMES = `
  torch nn F Tensor sl math dataclass annotations Optional Tuple List
  self src src_len tgt_in tgt_out tgt_len encoded tokens state next_state x y t rows steps total count
  teacher_forcing gold chosen logits_t vocab log_probs opts
`.trim().split(/\s+/);

/**
 * Attributes of nn.Module (torch 1.13 through 2.x) and of the generated class: a layer stored under
 * one of these names would be shadowed by the method of the same name.
 */
const MODULE_ATTRIBUTES = `
  T_destination add_module apply bfloat16 buffers children compile cpu cuda double dump_patches eval
  extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict
  modules mtia named_buffers named_children named_modules named_parameters parameters
  register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
  register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook
  register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook
  register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to
  to_empty train training type xpu zero_grad call_super_init
  spec_name task decode_defaults vocab encode init_decoder_state decode_step step_logits select_state
  features forward_stepwise loss greedy beam exhaustive init_state
`.trim().split(/\s+/);

export function pythonSymbols(): SymbolTable {
  return new SymbolTable([...PYTHON_WORDS, ...GENERATED_NAMES, ...MODULE_ATTRIBUTES]);
}

/** True when `prefix` can be the layer's own attribute (`self.<prefix>`). */
export function isPlainAttribute(prefix: string): boolean {
  return /^[a-z][A-Za-z0-9_]*$/.test(prefix) && !PYTHON_WORDS.includes(prefix) && !MODULE_ATTRIBUTES.includes(prefix);
}

/** The expression of a node's layer, from its checkpoint prefix. */
export function layerExpr(prefix: string): string {
  return isPlainAttribute(prefix) ? `self.${prefix}` : `sl.layer(self, ${pyString(prefix)})`;
}

/** A double-quoted Python string literal for any string. */
export function pyString(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Text safe inside a `#` comment or a docstring: one line, no closing quotes, no backslashes. */
export function pyComment(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\\/g, '/').replace(/"""/g, '"\u200b""');
}

/** `models/d2l-seq2seq-gru.yaml` → `d2l_seq2seq_gru.py` (an importable Python module name). */
export function pythonFileName(specPath: string): string {
  const base = specPath.split(/[\\/]/).pop()!.replace(/\.ya?ml$/i, '');
  let safe = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+/, '');
  if (safe === '' || /^[0-9]/.test(safe)) safe = `model_${safe}`;
  return `${safe}.py`;
}

/** A Python number literal. */
export function pyNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`codegen: not a finite number: ${value}`);
  const s = Object.is(value, -0) ? '0' : String(value);
  return s;
}
