"""Air monitoring stations (空气质量监测站点) and dust-fall jars (降尘监测点) under responsible towns."""
