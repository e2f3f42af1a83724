-- The Indonesian provinces and regencies/cities an article and each of its mentions are about,
-- found in the text (package regions): Kemendagri codes ("13" for a province, "13.71" for a
-- regency or city), most named first. Unlike region (0004), the source's configured region, these
-- come from the analyzer. Rows written before this migration, and spool files written by an
-- older Pantau, get an empty list.
{{addColumn "articles" "regions Array(String) DEFAULT emptyArrayString()"}};
{{addColumn "mentions" "regions Array(String) DEFAULT emptyArrayString()"}};
