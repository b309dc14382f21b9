"""The outfall registry (排污口, 海政办发〔2022〕65号 item 19): every outfall by its four types, its
receiving water on the river network, its responsible town and discharger, the decision taken
(取缔 / 清理合并 / 规范整治) and its state through to 达标排放, with every change kept as history. Models in
:mod:`geo.outfalls.models` (registered through ``geo.models``); the pure state rule in
:mod:`geo.outfalls.rules`."""
