"""Rural sewage: the rate rules as data, the 双60 treatment rate and normal-operation rate per town."""
