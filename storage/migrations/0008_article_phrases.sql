-- Phrases of critical coverage, read by EmergingIssues (storage/emerging.go) to find issues
-- outside the taxonomy. For each article: the distinct word pairs of its title and of its lead
-- (the first 600 characters of its text), lower-cased, ASCII letters only, after dropping words
-- shorter than 3 letters and the Indonesian and English stop and boilerplate words below. Only
-- articles whose sentiment is negative keep phrases; others store an empty list, so an article
-- re-analysed as no longer negative loses them (re-analysis inserts the article row again).
-- ClickHouse computes the phrases from each inserted article row through the materialized view:
-- neither the writer nor the spool carries them. Existing articles are backfilled at the end.
-- The view's SELECT has no subquery and no aliases: 18.16 loses them when it pushes to a view.
{{define "stop"}}['about', 'ada', 'adalah', 'adanya', 'after', 'again', 'agar', 'agustus', 'akan', 'akhirnya',
     'aku', 'all', 'also', 'among', 'and', 'anda', 'antara', 'any', 'apa', 'apabila', 'apakah',
     'april', 'are', 'artikel', 'atas', 'atau', 'baca', 'bagaimana', 'bagi', 'bahkan', 'bahwa', 'baik',
     'banyak', 'baru', 'bawah', 'beberapa', 'because', 'been', 'before', 'begitu', 'being', 'belum',
     'benar', 'berada', 'berbagai', 'berita', 'bersama', 'besar', 'between', 'bila', 'bisa', 'both',
     'buat', 'bukan', 'but', 'can', 'cara', 'could', 'dalam', 'dan', 'dapat', 'dari', 'daripada',
     'demikian', 'dengan', 'depan', 'desember', 'dia', 'did', 'diri', 'does', 'dua', 'during', 'each',
     'editor', 'februari', 'few', 'for', 'from', 'had', 'hal', 'halaman', 'hampir', 'hanya', 'hari',
     'harus', 'has', 'have', 'her', 'here', 'hingga', 'his', 'how', 'ini', 'into', 'its', 'itu',
     'jadi', 'januari', 'jika', 'juga', 'juli', 'jumat', 'juni', 'just', 'juta', 'kalau', 'kali',
     'kami', 'kamis', 'kamu', 'karena', 'kata', 'kecil', 'kembali', 'kemudian', 'kepada', 'ketika',
     'kini', 'kita', 'klik', 'lagi', 'lain', 'lalu', 'lama', 'lebih', 'like', 'luar', 'made', 'maka',
     'make', 'mana', 'many', 'maret', 'masih', 'masing', 'may', 'mei', 'melalui', 'memang', 'membuat',
     'menjadi', 'menurut', 'mereka', 'merupakan', 'miliar', 'minggu', 'more', 'most', 'much', 'mulai',
     'must', 'namun', 'new', 'not', 'november', 'now', 'nya', 'off', 'oktober', 'oleh', 'only',
     'orang', 'other', 'our', 'out', 'over', 'pada', 'paling', 'para', 'penulis', 'per', 'perlu',
     'pernah', 'pun', 'rabu', 'reporter', 'saat', 'sabtu', 'said', 'saja', 'salah', 'sama', 'same',
     'sampai', 'sangat', 'satu', 'say', 'saya', 'says', 'secara', 'sedang', 'sehingga', 'sejak',
     'sekarang', 'sekitar', 'selain', 'selalu', 'selasa', 'seluruh', 'sementara', 'semua', 'sendiri',
     'senin', 'seperti', 'september', 'serta', 'sesuai', 'setelah', 'setiap', 'should', 'simak',
     'since', 'sini', 'situ', 'some', 'still', 'suatu', 'such', 'sudah', 'sumber', 'tahun', 'tak',
     'tanpa', 'tapi', 'telah', 'tempat', 'tengah', 'tentang', 'terhadap', 'tersebut', 'terus',
     'tetapi', 'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this',
     'those', 'through', 'tiap', 'tidak', 'tiga', 'too', 'ujar', 'under', 'until', 'untuk', 'very',
     'was', 'were', 'what', 'when', 'where', 'which', 'while', 'who', 'why', 'wib', 'will', 'with',
     'would', 'yaitu', 'yakni', 'yang', 'year', 'years', 'you', 'your']{{end}}
{{define "words"}}arrayFilter(w -> length(w) >= 3 AND NOT has({{template "stop"}}, w), alphaTokens(lowerUTF8({{.}}))){{end}}
{{define "pairs"}}arrayMap((a, b) -> concat(a, ' ', b), arrayPopBack({{template "words" .}}), arrayPopFront({{template "words" .}})){{end}}
{{define "phrases"}}
SELECT url_hash, if(duplicate_of = 0, url_hash, duplicate_of) AS story, source, published_at,
       if(sentiment = 'negative',
          arrayDistinct(arrayConcat({{template "pairs" "title"}}, {{template "pairs" "substringUTF8(text, 1, 600)"}})),
          emptyArrayString()) AS phrases,
       now() AS inserted_at
FROM articles{{.}}{{end}}

CREATE TABLE IF NOT EXISTS article_phrases (
    url_hash     UInt64,
    story        UInt64,
    source       {{lc "String"}},
    published_at DateTime('UTC'),
    phrases      Array(String),
    inserted_at  DateTime('UTC')
) ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(published_at)
ORDER BY url_hash;

CREATE MATERIALIZED VIEW IF NOT EXISTS article_phrases_mv TO article_phrases AS
{{template "phrases" ""}};

INSERT INTO article_phrases (url_hash, story, source, published_at, phrases, inserted_at)
{{template "phrases" " FINAL"}};
