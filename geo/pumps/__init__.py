"""排涝泵站 (drainage pump stations) upstream of the key sections (海政办发〔2022〕65号 item 19): the
registry, whether a station holds sewage (拦蓄污水) and when it was cleared (清零), every change kept."""
