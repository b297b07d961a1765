-- The staging table of index_stage, once its rows are in the index.
DROP TABLE IF EXISTS temp.search_staged;
