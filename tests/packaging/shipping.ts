// What must never be inside the packaged app, by name, wherever it sits: tests, test helpers
// (engine/model/testModels*.ts, engine/ops/gradcheck.ts, pool-reference.ts, in place or moved to
// tests/ or bench/) and benches. Shared by the compile and packaging tests.
export const NOT_SHIPPED = /(^|\/)(tests?|bench|__tests__)\/|\.(test|spec)\.[cm]?[jt]s$|(^|\/)(testModels[^/]*|gradcheck|pool-reference|bench-grad)\.[cm]?[jt]s$/;
