"""稳Ⅲ提Ⅲ 工作方案 (海政办发〔2022〕65号 item 15): one plan per key section and year, with an editable
analysis text whose every saved version is kept, and part one of the plan — the section's class and exceedance
analysis over its recent months — from the GB 3838 engine. Parts two and three (the first-level tributaries
and the problems found upstream) read the river network and the rectifications: the checklists app
assembles the whole plan (``checklists.selectors.workplan``), since scoring may not import it."""
