"""The build engine: one plan, one set of stages, run by different executors (issue 16).

`state` owns what a build found out (warnings per stage and note); the rest of the engine
moves here stage by stage from `trellis.pipeline`, `trellis.parallel` and `trellis.edits`.
"""
