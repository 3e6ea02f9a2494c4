// Class objectives: dream toward a class ("jellyfish") by raising its logit, the classifier's score
// before the softmax. Offered only where the model runs its head and we know its labels: 1000 (or
// 1001 with a background class first) ImageNet outputs, or a label list in model.json's metadata.
import type { Objective } from '../objectives/objective.ts';
import { logitObjective, type ClassLogit } from '../objectives/logit.ts';
import type { DreamModel } from '../shared/model.ts';
import { findClass, imagenetClasses, type ClassMatch } from './labels.ts';
import { EMBEDDED_MODELS } from './files/source.ts';
import { ReverieError } from '../shared/errors.ts';

export class ClassObjectiveError extends ReverieError {
  override name = 'ClassObjectiveError';
}

export interface ClassHead {
  /** The layer whose output holds the logits, [N,1,1,units]. */
  layer: string;
  labels: readonly string[];
  /** Logit index of labels[0]: 1 for TF-slim heads whose output 0 is "background". */
  offset: number;
  source: 'imagenet' | 'model';
}

const declaredLabels = new WeakMap<DreamModel, readonly string[]>();

/** Labels a model declares itself (userDefinedMetadata.classLabels), attached by the loader. */
export function attachClassLabels(model: DreamModel, labels: unknown): void {
  if (Array.isArray(labels) && labels.length > 0 && labels.every((l) => typeof l === 'string')) declaredLabels.set(model, labels as string[]);
}

const HINT = 'Class objectives need a layers model with an ImageNet head, e.g. "reverie models add mobilenet_v1_100".';

/** The model's classifier as a class head, or a ClassObjectiveError saying why it has none to offer. */
export function classHead(model: DreamModel): ClassHead {
  const graph = model.graph;
  if (!graph) {
    throw new ClassObjectiveError(`${model.id} is a TF.js graph model; class objectives run on layers models only. ${HINT}`);
  }
  const c = graph.classifier;
  if (!c) throw new ClassObjectiveError(`${model.id} has no classifier head (its output is an image layer). ${HINT}`);
  const own = declaredLabels.get(model);
  const embedded = Object.hasOwn(EMBEDDED_MODELS, model.id) ? ` (it was fine-tuned for ${EMBEDDED_MODELS[model.id]!.packageName}'s categories)` : '';
  if (!c.logits) {
    const what = c.units === 1000 || c.units === 1001 ? '' : `scores ${c.units} classes, not the 1000 ImageNet classes${embedded}, and `;
    throw new ClassObjectiveError(`${model.id}'s classifier head ("${c.layer}") ${what}cannot be run here: ${c.reason}. ${HINT}`);
  }
  if (own && own.length === c.units) return { layer: c.logits, labels: own, offset: 0, source: 'model' };
  if (c.units === 1000 || c.units === 1001) return { layer: c.logits, labels: imagenetClasses(), offset: c.units - 1000, source: 'imagenet' };
  throw new ClassObjectiveError(
    `${model.id}'s classifier head ("${c.layer}") scores ${c.units} classes, not the 1000 ImageNet classes${embedded}, and model.json declares no ` +
      `label list for them (userDefinedMetadata.classLabels). ${HINT}`,
  );
}

/** The class a name means on this model's head; a ClassObjectiveError with suggestions otherwise. */
export function resolveClass(model: DreamModel, name: string): ClassMatch & { logit: number; layer: string } {
  const head = classHead(model);
  const { match, suggestions } = findClass(head.labels, name);
  if (!match) {
    const hint = suggestions.length ? ` Did you mean: ${suggestions.map((s) => `#${s.index} ${s.label}`).join('; ')}?` : ' Run "reverie models classes MODEL QUERY" to search the labels.';
    throw new ClassObjectiveError(`"${name}" ${suggestions.length > 1 ? 'matches several classes' : 'is not a class'} of ${model.id}.${hint}`);
  }
  return { ...match, logit: match.index + head.offset, layer: head.layer };
}

/** classObjective bound to a model: what recipeObjective takes to build a recipe's class terms. */
export function classObjectiveFactory(model: DreamModel): (name: string, weight: number) => Objective {
  return (name, weight) => classObjective(model, name, weight);
}

/** A class term resolved on the model's head: its logit, for this model here or the window's worker. */
export function classLogit(model: DreamModel, name: string, weight = 1): ClassLogit {
  const c = resolveClass(model, name);
  return { layer: c.layer, logit: c.logit, weight, label: c.label.split(',')[0]!.trim() };
}

/** Mean (over the batch) of one class's logit: the objective that makes an image look more like that class. */
export function classObjective(model: DreamModel, name: string, weight = 1): Objective {
  return logitObjective(classLogit(model, name, weight));
}
