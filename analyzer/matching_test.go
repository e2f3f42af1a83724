package analyzer_test

import (
	"slices"
	"testing"

	"github.com/pantau-id/pantau/analyzer"
)

// TestDefaultTaxonomyMatching checks which programmes the default taxonomy finds in short passages,
// following the labelling rules of the news corpus: every programme the passage is about, nothing
// for a word used in another sense, and hoaks as well as the programme for a hoax clarification.
func TestDefaultTaxonomyMatching(t *testing.T) {
	a := analyzer.New(nil, nil)
	tests := []struct {
		name, text string
		want       []string // every programme matched, in any order; nil for none
	}{
		// Civil registration: a KTP named as a requirement is not the e-KTP service, and the
		// umbrella "administrasi kependudukan" is e-KTP news when the e-KTP is what it is about.
		{"birth certificate needs parents' KTP", "Syarat membuat akta kelahiran adalah KTP kedua orang tua, Kartu Keluarga dan surat keterangan lahir dari bidan.", []string{"kk_akta"}},
		{"family card on plain paper", "Disdukcapil kini mencetak Kartu Keluarga di atas kertas HVS biasa.", []string{"kk_akta"}},
		{"KK changed by WhatsApp", "Warga yang ingin mengubah KK cukup mengirim berkas lewat WhatsApp.", []string{"kk_akta"}},
		{"child identity card", "Baru 40 persen anak di kota itu memiliki KIA yang diterbitkan Disdukcapil.", []string{"kk_akta"}},
		{"marriage registration", "Dispendukcapil membuka ruang pencatatan perkawinan bagi pasangan non-Muslim.", []string{"kk_akta"}},
		{"KIA as maternal health is not the card", "Bidan melayani pemeriksaan kesehatan ibu dan anak (KIA) di puskesmas setiap Senin.", []string{"kesehatan_puskesmas"}},
		{"civil administration about e-KTP", "Layanan administrasi kependudukan keliling melayani perekaman e-KTP bagi warga lansia.", []string{"ektp"}},
		{"e-KTP and family card both served", "Warga antre berjam-jam untuk mencetak e-KTP dan Kartu Keluarga.", []string{"ektp", "kk_akta"}},
		{"prosperous family card is social aid", "Dinas Sosial memblokir 1.386 Kartu Keluarga Sejahtera karena data penerima bermasalah.", []string{"bansos"}},
		{"households are not the card", "Sebanyak 200 KK terdampak angin kencang di desa itu.", nil},

		// A public service hall is not business licensing unless a permit is named.
		{"service hall for passports", "Warga antre di Mal Pelayanan Publik (MPP) untuk membuat paspor dan memperpanjang SIM.", nil},
		{"service hall for birth certificates", "Mal Pelayanan Publik Kota Padang kini melayani pembuatan akta kelahiran.", []string{"kk_akta"}},
		{"service hall for business permits", "Di Mal Pelayanan Publik pelaku usaha dapat mengurus izin usaha dan NIB.", []string{"perizinan_oss"}},
		{"slow permits", "DPRD menyoroti lambatnya pengurusan perizinan di daerah tersebut.", []string{"perizinan_oss"}},
		{"residence permit is immigration", "WNA itu dideportasi karena tidak mengurus izin tinggal.", nil},

		// Street lighting is pju, not the road it stands on nor the PLN supply.
		{"broken street lights", "Warga mengeluhkan rusaknya lampu jalan di Jalan Sudirman yang padam sejak sepekan.", []string{"pju"}},
		{"street light meters", "Dishub memasang jaringan listrik dan kWh meter untuk penerangan jalan umum.", []string{"pju"}},
		{"PLN switching street lights on", "PLN mengirim tim untuk menyalakan kembali lampu PJU di jalur dua.", []string{"pju"}},
		{"repaired lights on a named street", "Lampu PJU yang rusak diperbaiki di jalan Patimura.", []string{"pju"}},
		{"dark street and a potholed road", "Lampu jalan mati dan jalan berlubang di Lubuk Begalung.", []string{"jalan", "pju"}},
		{"dark street and a blackout", "Lampu jalan padam sejak Senin. Warga juga mengeluhkan pemadaman listrik bergilir oleh PLN.", []string{"listrik_pln", "pju"}},

		// Hoax clarifications list hoaks and the programme the claim is about.
		{"denied aid message", "Beredar pesan bansos Rp 5 juta dari Kemensos. Kemensos memastikan informasi itu tidak benar.", []string{"bansos", "hoaks"}},
		{"claim declared untrue", "Unggahan yang menyebut tarif KRL naik adalah tidak benar. Faktanya, tarif KRL tidak berubah.", []string{"hoaks", "transportasi_publik"}},
		{"rumour denied", "PLN membantah kabar pemadaman listrik selama tujuh hari yang viral di media sosial.", []string{"hoaks", "listrik_pln"}},
		{"no official notice is a complaint, not a denial", "Menurut warga, tidak ada pemberitahuan resmi sebelum aliran air PDAM terhenti.", []string{"air_bersih"}},
		{"fake registration site", "Kemensos menegaskan tidak pernah membuat situs pendaftaran bantuan sosial.", []string{"bansos", "hoaks"}},
		{"chain message", "Pesan berantai soal pemutihan pajak kendaraan secara nasional dipastikan hoaks.", []string{"hoaks", "pajak_daerah"}},
		{"disinformation", "Diskominfo meminta warga mewaspadai disinformasi tentang jadwal PPDB.", []string{"hoaks", "ppdb"}},
		{"improper delivery is not a denial", "Warga memprotes penyaluran bansos yang tidak benar karena banyak penerima yang mampu.", []string{"bansos"}},
		{"not denying is no clarification", "Disdukcapil tidak membantah kabar blangko e-KTP habis sejak Maret.", []string{"ektp"}},

		// Roads built, kept and worn out.
		{"toll road opened", "Presiden meresmikan jalan tol Serpong-Balaraja.", []string{"jalan"}},
		{"road maintenance budget", "Dinas PUPR mengalokasikan Rp3 miliar untuk pemeliharaan rutin jalan kabupaten.", []string{"jalan"}},
		{"asphalt that did not last", "Jalan itu sudah pernah diaspal, tetapi kini kembali rusak.", []string{"jalan"}},
		{"walking is not a road", "Warga berjalan kaki ke pasar karena angkot belum beroperasi.", []string{"transportasi_publik"}},

		// Piped water.
		{"regional water company by name", "Pelanggan Perumda Tirtawening mengalami gangguan aliran air selama dua hari.", []string{"air_bersih"}},
		{"piped water system opened", "Bupati meresmikan SPAM perpipaan yang melayani 50 rumah di lima desa.", []string{"air_bersih"}},
		{"spam mail is not water", "Warga menerima email spam berisi tautan undian berhadiah.", nil},

		// Flooding and drainage.
		{"drain cleaning", "Petugas membersihkan saluran air dan gorong-gorong agar tidak terjadi genangan.", []string{"banjir_drainase"}},
		{"infiltration wells", "Dinas SDA menambah 1.000 sumur resapan dan membangun kolam retensi.", []string{"banjir_drainase"}},
		{"river overflow", "Hujan deras membuat air sungai di sejumlah titik meluap ke permukiman.", []string{"banjir_drainase"}},
		{"irrigation channel is not drainage", "Petani bergantung pada saluran air irigasi untuk mengairi sawah.", nil},

		// Public transport, regional tax, fuel.
		{"TransJ late", "Penumpang TransJ mengeluhkan bus yang sering telat.", []string{"transportasi_publik"}},
		{"buy-the-service subsidy", "Kemenhub memberikan subsidi BTS kepada delapan kota.", []string{"transportasi_publik"}},
		{"land tax not raised", "Bupati berjanji tidak akan menaikkan PBB hingga 2027.", []string{"pajak_daerah"}},
		{"vehicle tax amnesty", "Ribuan warga memanfaatkan pemutihan denda untuk motor yang menunggak.", []string{"pajak_daerah"}},
		{"insurance arrears amnesty is not tax", "BPJS Kesehatan membuka pemutihan tunggakan iuran peserta mandiri.", []string{"bpjs_kesehatan"}},
		{"one-price fuel", "Pertamina memperluas program BBM Satu Harga ke 83 titik.", []string{"subsidi_bbm"}},
		{"non-subsidised fuel price", "Harga BBM nonsubsidi seperti Pertamax naik mulai hari ini.", nil},

		// Words used in another sense.
		{"health services of insured members", "Peserta JKN berhak mendapatkan pelayanan kesehatan yang layak.", []string{"bpjs_kesehatan"}},
		{"electrocution", "Remaja tewas tersengat listrik saat mengisi daya ponsel.", nil},
		{"static electricity", "Listrik statis terbentuk ketika muatan listrik terakumulasi pada sebuah benda.", nil},
		{"commuter train is not PLN", "Kereta rel listrik (KRL) Jabodetabek beroperasi hingga pukul 22.00.", []string{"transportasi_publik"}},
		{"university admission", "Calon mahasiswa dapat mengikuti SPMB melalui jalur domisili.", nil},
		{"flooded with orders", "Pedagang kerupuk kebanjiran pesanan menjelang Lebaran.", nil},

		// Services named by what they do rather than by their name.
		{"water supply to customers", "Pasokan air ke rumah pelanggan terhenti sejak Senin malam.", []string{"air_bersih"}},
		{"river water is not piped water", "Air sungai meluap dan mengalir ke permukiman warga.", []string{"banjir_drainase"}},
		{"channel dredging", "Normalisasi saluran dilakukan bertahap hingga ke muara sungai.", []string{"banjir_drainase"}},
		{"channel clogged", "Saluran di depan pasar tersumbat sehingga air meluber ke badan jalan.", []string{"banjir_drainase"}},
		{"lamp posts relit", "Sebanyak 20 tiang lampu di ruas jalan itu kembali menyala.", []string{"pju"}},
		{"queue for diesel", "Sopir truk mengantre berjam-jam di SPBU untuk mendapatkan solar.", []string{"subsidi_bbm"}},
		{"smooth road", "Ruas jalan itu kini halus dan tidak lagi berdebu.", []string{"jalan"}},
		{"rice for the poor", "Warga mengeluhkan beras miskin yang berkutu.", []string{"bansos"}},
		{"claim debunked by the ministry", "Kemensos tidak pernah membagikan bansos lewat WhatsApp seperti klaim yang beredar.", []string{"bansos", "hoaks"}},
		{"fabricated content", "Unggahan berisi tautan pendaftaran BLT itu merupakan konten palsu.", []string{"bansos", "hoaks"}},

		// Social aid handed out, named by what is given rather than by a programme acronym.
		{"fuel cash aid is social aid", "Kantor Pos menyalurkan BLT BBM kepada 1.200 keluarga penerima manfaat.", []string{"bansos"}},
		{"food parcels handed out", "Dinas Sosial membagikan sembako kepada 84 lansia terlantar.", []string{"bansos"}},
		{"rice for the poor by its later name", "Penyaluran rastra tahap kedua di desa itu tertunda.", []string{"bansos"}},
		{"aid from the ministry", "Para pengungsi menerima bantuan dari Kemensos.", []string{"bansos"}},
		{"food prices are not aid", "Harga sembako naik menjelang Lebaran.", nil},
		{"premium subsidy is not social aid", "Warga miskin yang terdaftar di DTKS masuk PBI BPJS Kesehatan.", []string{"bpjs_kesehatan"}},

		// Hoax clarifications phrased without "hoaks".
		{"video not matching the facts", "Dinas PUPR menyatakan video jalan berlubang itu tidak sesuai fakta.", []string{"hoaks", "jalan"}},
		{"claim found wrong", "Hasil penelusuran menunjukkan klaim soal token listrik gratis itu keliru.", []string{"hoaks", "listrik_pln"}},
		{"landslide denied", "DLH membantah adanya longsor di TPA Bantargebang.", []string{"hoaks", "sampah_tps"}},
		{"circulating claim answered", "Bendungan itu masih normal dan tidak jebol seperti informasi yang beredar di media sosial.", []string{"hoaks"}},
		{"not denying is no clarification", "Kepala Samsat tidak membantah adanya pungli di loket.", []string{"pajak_daerah"}},

		// Roads: bridges, named segments and toll roads; road classes stand down for street lights.
		{"bridge opened", "Bupati meresmikan jembatan gantung antardesa di Kecamatan Kendit.", []string{"jalan"}},
		{"bridge as a landmark", "Warga berfoto di jembatan yang menjadi ikon kota.", nil},
		{"segment resurfaced", "Ruas Simpang Empat kini mulus setelah diaspal.", []string{"jalan"}},
		{"toll section opened", "Presiden meresmikan Tol Pekanbaru-Dumai seksi dua.", []string{"jalan"}},
		{"provincial road damaged", "Jalan provinsi di Kecamatan Ciawi rusak parah.", []string{"jalan"}},
		{"lights on a provincial road", "Dishub memperbaiki PJU yang padam di jalan provinsi.", []string{"pju"}},
		{"dark road is lighting", "Kondisi jalan desa itu gelap gulita karena lampu PJU padam.", []string{"pju"}},
		{"on the road is not road works", "Dua minggu mengaspal di jalanan, bus feeder itu masih sepi penumpang.", []string{"transportasi_publik"}},

		// Regional tax: the vehicle tax (PKB) and land tax (PBB), not the party or the UN.
		{"vehicle tax fines waived", "Pemprov menghapus denda PKB hingga akhir Juni.", []string{"pajak_daerah"}},
		{"the party is not the tax", "Fraksi PKB menargetkan tambahan kursi pada pemilu mendatang.", nil},
		{"motorbike tax arrears", "Sopiah sudah menunggak pajak motornya sejak 2016.", []string{"pajak_daerah"}},
		{"land tax embezzled", "Kepala dusun itu menggelapkan pungutan PBB dari warga.", []string{"pajak_daerah"}},

		// Public transport named by its bus lines, corridors, stops and feeders.
		{"new Trans bus line", "Bus Trans Banjarbakula mulai beroperasi pekan depan.", []string{"transportasi_publik"}},
		{"crowded bus stop", "Halte Bundaran Senayan penuh penumpang setiap sore.", []string{"transportasi_publik"}},
		{"economic corridor is not a bus", "Pemerintah membangun koridor ekonomi di Sumatera.", nil},

		// Piped water by the utility's full name, household connections and water crises.
		{"utility by its full name", "Perusahaan Daerah Air Minum Kapuas menaikkan tarif.", []string{"air_bersih"}},
		{"drought water crisis", "Sebanyak 34 desa di Pacitan berpotensi krisis air saat kemarau.", []string{"air_bersih"}},
		{"water house connections", "Program hibah membangun 5.000 sambungan rumah air minum bagi warga miskin.", []string{"air_bersih"}},
		{"gas house connections", "Pemerintah membangun 10.000 sambungan rumah jaringan gas.", nil},

		// Civil registration: marriage certificates and the child card; a KK named for school admission
		// or a notary deed is not the service.
		{"marriage certificate", "Disdukcapil menerbitkan akta nikah bagi pasangan nonmuslim.", []string{"kk_akta"}},
		{"child card printed", "Pencetakan KIA bisa dilakukan di kelurahan.", []string{"kk_akta"}},
		{"borrowed family card for school", "Ombudsman menemukan praktik numpang KK pada PPDB jalur zonasi.", []string{"ppdb"}},
		{"notary deed", "Biaya notaris mencakup pembuatan akta pendirian perseroan.", nil},
		{"KTP for fertiliser", "Wamentan mengusulkan petani memakai KTP saat membeli pupuk subsidi.", nil},

		// Waste clogging a drain is drainage news; waste handling is named when it is the news.
		{"rubbish in the drain", "Petugas membersihkan sampah yang menyumbat saluran air.", []string{"banjir_drainase"}},
		{"rubbish piling up", "Sampah menumpuk di pasar karena truk pengangkut rusak.", []string{"sampah_tps"}},

		// Health posts named as the channel of another programme.
		{"MBG at the posyandu", "MBG untuk ibu hamil disalurkan melalui posyandu.", []string{"mbg"}},
		{"birth certificate at the hospital", "Bayi yang lahir di RSUD langsung mendapat akta kelahiran.", []string{"kk_akta"}},
		{"posyandu service", "Posyandu Anggrek melayani penimbangan balita setiap bulan.", []string{"kesehatan_puskesmas"}},

		// Electricity: new connections for the poor, planned outages; putting out a fire is not.
		{"new connection aid", "Program BPBL menyambung listrik ke 150.000 rumah tangga.", []string{"listrik_pln"}},
		{"planned outage", "Pelanggan mendapat notifikasi pemadaman terencana di wilayahnya.", []string{"listrik_pln"}},
		{"fire put out", "Petugas melakukan pemadaman api di gudang itu selama dua jam.", nil},

		// Street lighting without the word PJU; a traffic light is not street lighting.
		{"dark alleys", "Warga mengeluhkan minimnya penerangan di setiap lorong.", []string{"pju"}},
		{"lights along the road", "Lampu di sepanjang jalan protokol kini menyala terang.", []string{"pju"}},
		{"red light", "Pengendara menerobos lampu merah di ruas Jalan Sudirman.", nil},

		// Flood control, licensing and fuel by their service words.
		{"river dredging", "Warga meminta pengerukan sungai yang mendangkal.", []string{"banjir_drainase"}},
		{"flood of protests", "Kebijakan zonasi PPDB banjir protes orang tua.", []string{"ppdb"}},
		{"building certificate", "Gedung wajib memiliki Sertifikat Laik Fungsi sebelum dipakai.", []string{"perizinan_oss"}},
		{"diesel queue", "Sopir truk menunggu solar di SPBU hingga belasan jam.", []string{"subsidi_bbm"}},

		// Civil registration by its verbs and the certificate named alone; a family card counted
		// for aid or borrowed by a school applicant is not the service, nor is a KTP that is the
		// only document another service asks for.
		{"marriage registered", "Disdukcapil membantu pasangan nonmuslim mencatatkan perkawinan mereka.", []string{"kk_akta"}},
		{"certificate issued the same day", "Jika berkas lengkap, akta bisa terbit di hari yang sama.", []string{"kk_akta"}},
		{"land deed", "Warga mengurus akta jual beli tanah di kantor PPAT.", nil},
		{"rice per family card", "Setiap penerima mendapat 10 kilogram beras per Kartu Keluarga.", []string{"bansos"}},
		{"school applicant on another family card", "Panitia menemukan calon peserta didik yang menumpang di kartu keluarga kerabatnya.", []string{"ppdb"}},
		{"KTP as the only requirement", "Pendaftaran cukup dilakukan dengan menggunakan KTP saja.", nil},

		// Waste handling by its crews, trucks, levies and award.
		{"cleaning crews", "Petugas kebersihan tetap bekerja selama libur Lebaran.", []string{"sampah_tps"}},
		{"cleanliness award", "Kota itu kembali meraih Piala Adipura.", []string{"sampah_tps"}},
		{"compactor trucks", "DLH menambah 10 unit truk kompaktor.", []string{"sampah_tps"}},
		{"cleaning levy", "Warga memprotes kenaikan retribusi kebersihan.", []string{"sampah_tps"}},

		// Street lighting by its other acronym and its effect; a city lit again by PLN is electricity.
		{"JPU on a village road", "Dishub memasang JPU baru di jalan desa.", []string{"pju"}},
		{"brightly lit road", "Kini sepanjang jalan protokol terang benderang.", []string{"pju"}},
		{"city lit again by PLN", "Kota itu kembali terang benderang setelah PLN memulihkan listrik.", []string{"listrik_pln"}},

		// Social aid distributed; aid named as a Prakerja or school-admission criterion is not.
		{"rice distributed", "Beras yang didistribusikan kepada warga ternyata berkutu.", []string{"bansos"}},
		{"aid from the social office", "Dinas Sosial Kabupaten Sleman kembali membagikan bantuan kepada lansia.", []string{"bansos"}},
		{"aid recipients may join Prakerja", "Penerima bantuan sosial kini juga boleh mendaftar Kartu Prakerja.", []string{"prakerja"}},
		{"welfare register for admission", "Siswa dari keluarga yang terdaftar di DTKS dapat mendaftar lewat jalur afirmasi.", []string{"ppdb"}},

		// Flood control named by normalisation, pumps and floodgates; a flood that cut the power is
		// electricity news, a fuel pump and a water utility's normalisation are not flood control.
		{"normalisation alone", "Warga menyambut baik proyek normalisasi yang sudah lama ditunggu.", []string{"banjir_drainase"}},
		{"flood pumps", "Sebanyak 44 pompa disiagakan selama musim hujan.", []string{"banjir_drainase"}},
		{"floodgate", "Petugas memantau pintu air Manggarai setiap jam.", []string{"banjir_drainase"}},
		{"fuel pump", "Harga di pompa bensin itu sama dengan SPBU lain.", nil},
		{"water distribution normalised", "PDAM melakukan normalisasi distribusi air setelah perbaikan pipa.", []string{"air_bersih"}},
		{"power restored after a flood", "PLN memulihkan aliran listrik bagi pelanggan yang terdampak banjir.", []string{"listrik_pln"}},

		// School admission by its applicants, districts and affirmative quota; an affirmative budget is not.
		{"admission applicants", "Calon peserta didik wajib mengunggah rapor saat mendaftar.", []string{"ppdb"}},
		{"admission districts", "Kementerian menerapkan rayonisasi untuk jenjang SMA.", []string{"ppdb"}},
		{"affirmative quota", "Siswa miskin mendapat kursi tanpa mengurangi kuota afirmasi.", []string{"ppdb"}},
		{"affirmative budget", "Puskesmas itu dibangun dengan DAK afirmasi.", []string{"kesehatan_puskesmas"}},

		// Piped water by its pipes and pressure; a gas pipe is not.
		{"leaking water main", "Aliran terhenti karena pipa transmisi bocor.", []string{"air_bersih"}},
		{"water pressure", "Tekanan air di wilayah itu kini naik menjadi dua bar.", []string{"air_bersih"}},
		{"gas pipe", "Pipa transmisi gas milik PGN bocor di Cilegon.", nil},

		// Public transport by its stops and feeder or integrated services.
		{"bus stops", "Banyak halte dalam kondisi tak layak.", []string{"transportasi_publik"}},
		{"feeder service", "Transportasi pengumpan mulai beroperasi di Surabaya.", []string{"transportasi_publik"}},
		{"integrated transport", "Warga merasakan manfaat transportasi terintegrasi.", []string{"transportasi_publik"}},

		// Regional tax paid or owed; income tax is national.
		{"paying tax by QR code", "Pembayaran pajak kini bisa memakai QRIS.", []string{"pajak_daerah"}},
		{"tax arrears", "Banyak pemilik kendaraan menunggak pajak sejak pandemi.", []string{"pajak_daerah"}},
		{"income tax", "Wajib pajak membayar pajak penghasilan lewat SPT tahunan.", nil},

		// Roads: the banana-tree protest, rehabilitated and asphalted roads.
		{"banana trees planted in the road", "Warga menanam pohon pisang di tengah jalan sebagai bentuk protes.", []string{"jalan"}},
		{"road rehabilitated", "Ruas jalan yang direhab sepanjang 3,9 km.", []string{"jalan"}},
		{"road to be asphalted", "Jalan yang bakal beraspal itu dibangun bertahap.", []string{"jalan"}},

		// Denials phrased as what an office never does, has no plan for, or sets straight.
		{"never paid through a link", "Kemensos tidak pernah menyalurkan bantuan sosial tunai melalui tautan.", []string{"bansos", "hoaks"}},
		{"never through Telegram", "Kemensos tidak pernah mengadakan pendaftaran bansos lewat Telegram.", []string{"bansos", "hoaks"}},
		{"no plan to raise fares", "Kemenhub menegaskan tidak ada rencana menaikkan tarif KRL.", []string{"hoaks", "transportasi_publik"}},
		{"set straight", "BGN meluruskan bahwa program MBG di Sumenep tidak dihentikan.", []string{"hoaks", "mbg"}},
		{"the facts", "Faktanya, tidak ada kenaikan tarif Mikrotrans.", []string{"hoaks", "transportasi_publik"}},
		{"but in fact is a complaint", "Namun faktanya jalan itu belum juga diperbaiki.", []string{"jalan"}},
		{"never received is a complaint", "Warga mengaku tidak pernah menerima bansos.", []string{"bansos"}},

		// Words of other services: welding, a birth certificate and MBG meals at health posts.
		{"welding", "Pemuda desa mengikuti pelatihan las listrik.", nil},
		{"birth certificate spelled akte", "Bayi yang lahir di RSUD langsung mendapat akte kelahiran.", []string{"kk_akta"}},
		{"free meals at the posyandu", "Makanan bergizi gratis dibagikan di Posyandu Kenari.", []string{"mbg"}},

		// Denials phrased as what is not so or not found, as the real channel or document, or as
		// the service going on; and the same words where nothing is denied.
		{"video is not the road", "Dinas PUPR menyebut video itu bukan jalan tol yang ambles, melainkan galian proyek.", []string{"hoaks", "jalan"}},
		{"not necessarily here", "Wali kota menyatakan kejadian itu belum tentu terjadi di kotanya karena PJU di sana menyala.", []string{"hoaks", "pju"}},
		{"not necessarily enough is no denial", "Kuota PPDB jalur zonasi belum tentu cukup untuk semua pendaftar.", []string{"ppdb"}},
		{"no official information found", "Tidak ditemukan informasi resmi bahwa Kemensos membuka pendaftaran bansos lewat Telegram.", []string{"bansos", "hoaks"}},
		{"a missing person is no fact check", "Warga yang terseret banjir hingga kini tidak ditemukan.", []string{"banjir_drainase"}},
		{"office does not confirm", "PLN tidak membenarkan adanya stimulus listrik dengan mengisi kuesioner.", []string{"hoaks", "listrik_pln"}},
		{"not through WhatsApp", "Pendaftaran bansos bukan melalui WhatsApp, tetapi lewat aplikasi Cek Bansos.", []string{"bansos", "hoaks"}},
		{"not a genuine card", "KTP elektronik yang dianggap ganda itu dinyatakan bukan e-KTP asli.", []string{"ektp", "hoaks"}},
		{"not from the office", "Kabar aktivasi KTP-el itu bukan bersumber dari Ditjen Dukcapil.", []string{"ektp", "hoaks"}},
		{"not announced", "Manajemen Kartu Prakerja belum mengumumkan bahwa ada pembukaan gelombang baru.", []string{"hoaks", "prakerja"}},
		{"no circular received", "Polda belum menerima edaran resmi soal pembebasan pajak kendaraan.", []string{"hoaks", "pajak_daerah"}},
		{"no such policy", "BPJS Kesehatan menegaskan tidak ada penghapusan kelas rawat inap.", []string{"bpjs_kesehatan", "hoaks"}},
		{"no limit on treatment is no denial", "Tidak ada pembatasan frekuensi cuci darah bagi pasien BPJS Kesehatan.", []string{"bpjs_kesehatan"}},
		{"no change of policy", "Hingga kini tidak ada perubahan kebijakan iuran BPJS Kesehatan.", []string{"bpjs_kesehatan", "hoaks"}},
		{"still supplying fuel", "Pertamina menegaskan masih menyalurkan Pertalite sesuai kuota.", []string{"hoaks", "subsidi_bbm"}},
		{"aid still handed out is no denial", "Pihaknya tetap menyalurkan bantuan sembako kepada warga terdampak.", []string{"bansos"}},
		{"people who think so are wrong", "Banyak yang mengira harga Pertalite naik, padahal harganya tidak berubah.", []string{"hoaks", "subsidi_bbm"}},
		{"an edict ignored is no denial", "Surat edaran itu tak pernah digubris warga yang membuang sampah ke TPS liar.", []string{"sampah_tps"}},

		// Roads by route, blocked by landslides, paved with hot mix, concrete or paving blocks.
		{"homecoming route maintained", "Pemprov tetap melakukan perawatan pada jalur mudik.", []string{"jalan"}},
		{"school admission route is not a road", "Sekolah memperbaiki kuota jalur zonasi tahun ini.", []string{"ppdb"}},
		{"landslide blocks the road", "Material longsor menutup jalan sehingga kendaraan tidak bisa lewat.", []string{"jalan"}},
		{"landslide under a pipe is not a road", "Pipa PDAM bocor tergerus longsor di Jalan Raya Subang.", []string{"air_bersih"}},
		{"road access opened", "Pemkab membuka akses jalan yang menghubungkan kampung-kampung di distrik itu.", []string{"jalan"}},
		{"toll road opened to traffic", "Tol itu dibuka secara resmi oleh Presiden setelah lama terbengkalai.", []string{"jalan"}},
		{"sea toll is shipping", "Kapal tol laut mulai beroperasi dari Surabaya.", nil},
		{"road turned to mud", "Habis hujan jalan jadi lumpur semua.", []string{"jalan"}},
		{"alleys hot-mixed", "Delapan gang di desa itu kini mulus karena di-hotmix.", []string{"jalan"}},
		{"concrete paving", "Pekerjaan betonisasi memerlukan waktu lebih lama.", []string{"jalan"}},
		{"paving blocks", "Pavingisasi dilakukan sepanjang 55 meter.", []string{"jalan"}},
		{"provincial road spelled propinsi", "Total jalan propinsi di daerah itu 1.534 km.", []string{"jalan"}},

		// The e-KTP by its biometric recording and its blank cards; a recording or a KIA blank is not.
		{"recording at school", "Petugas melayani perekaman data siswa di SMA Negeri 2.", []string{"ektp"}},
		{"video recording is not the card", "Perekaman video CCTV di sekolah itu diserahkan ke polisi.", nil},
		{"blank cards run out", "Stok blangko di kantor kecamatan habis sejak pekan lalu.", []string{"ektp"}},
		{"child card blanks are not the e-KTP", "Stok blangko KIA di Disdukcapil habis.", []string{"kk_akta"}},

		// The family card beside the KTP, its data update and mass weddings; a copy as a requirement is not.
		{"KTP and KK", "Warga belum juga menerima KTP dan KK yang dijanjikan.", []string{"ektp", "kk_akta"}},
		{"a copy of KK and KTP as a requirement", "Syaratnya cukup fotokopi KK dan KTP.", []string{"ektp"}},
		{"family card data update", "Pemkot membuka pemutakhiran data KK hingga akhir bulan.", []string{"kk_akta"}},
		{"mass wedding", "Sebanyak 40 pasangan mengikuti nikah massal di balai kota.", []string{"kk_akta"}},

		// Social aid to the poor and the elderly, rice a few words from the verb, the Lumbung Sosial;
		// another programme's aid to the poor is not.
		{"aid to the poor", "Pemerintah desa menyalurkan bantuan kepada warga kurang mampu.", []string{"bansos"}},
		{"aid to the elderly", "Sebanyak 34 lansia sudah menerima bantuan dari pemerintah.", []string{"bansos"}},
		{"electricity for the poor is not social aid", "PLN memberikan bantuan pemasangan listrik gratis kepada warga kurang mampu.", []string{"listrik_pln"}},
		{"tonnes of rice handed out", "Bulog menyalurkan bantuan 2,8 ton beras kepada warga.", []string{"bansos"}},
		{"social stockpile", "Bantuan kedaruratan disalurkan melalui Lumbung Sosial.", []string{"bansos"}},

		// Subsidised fuel spelled out, its QR code, colloquial queues, deliveries, misuse at a station,
		// Pertamina's quota; LPG is not.
		{"subsidised fuel spelled out", "Kuota bahan bakar minyak bersubsidi untuk nelayan ditambah.", []string{"subsidi_bbm"}},
		{"subsidised fuel hoarded", "Truk itu menimbun bahan bakar bersubsidi tanpa izin.", []string{"subsidi_bbm"}},
		{"LPG is not subsidised fuel", "Antrean warga yang membeli elpiji, bahan bakar bersubsidi itu, mengular.", nil},
		{"QR code to buy fuel", "Pembeli BBM kini wajib menunjukkan QR code.", []string{"subsidi_bbm"}},
		{"queueing colloquially", "Kemarin saya ngisi solar di rest area, lalu ngantri lima jam.", []string{"subsidi_bbm"}},
		{"diesel deliveries cut", "Pengiriman solar dari depot dikurangi separuh.", []string{"subsidi_bbm"}},
		{"station misuse", "Petugas SPBU itu terbukti menyalahgunakan pengisian untuk pengepul.", []string{"subsidi_bbm"}},
		{"Pertamina adds quota", "Pertamina menambah kuota untuk mengatasi kelangkaan.", []string{"subsidi_bbm"}},
		{"LPG quota is not fuel subsidy", "Pertamina menambah kuota elpiji 3 kg di Kediri.", nil},

		// Plural roads, cut access, damaged routes; strolling and a lamp's location are not.
		{"plural roads repaired", "Pemerintah memperbaiki jalan-jalan daerah yang rusak.", []string{"jalan"}},
		{"strolling", "Warga jalan-jalan ke taman yang baru diperbaiki.", nil},
		{"lamps on the streets", "Lampu tenaga surya dipasang di jalan-jalan desa.", nil},
		{"access cut", "Pohon tumbang memutuskan akses jalan antardesa.", []string{"jalan"}},
		{"damaged route", "Masih ada titik di jalur lintas timur yang mengalami kerusakan.", []string{"jalan"}},
		{"admission route going smoothly is not a road", "Pendaftaran jalur zonasi berjalan mulus.", []string{"ppdb"}},

		// Runoff, the river-basin agency at work, dredging a river a few words away.
		{"runoff", "Limpasan air Sungai Ciliwung mulai masuk ke permukiman.", []string{"banjir_drainase"}},
		{"river-basin agency", "BBWS mengerahkan alat berat untuk mengantisipasi daya rusak air.", []string{"banjir_drainase"}},
		{"river to be dredged", "Warga berharap sungai kecil di kampung itu segera dilakukan pengerukan.", []string{"banjir_drainase"}},

		// Water connections; an electricity connection is not.
		{"water connections for low-income homes", "Perusahaan memasang 5.000 sambungan air gratis untuk MBR.", []string{"air_bersih"}},
		{"electricity connection is not water", "PLN memasang sambungan listrik gratis ke rumah warga.", []string{"listrik_pln"}},

		// School admission by residence and school capacity; a drain's capacity is not.
		{"residence system", "Anak itu mendaftar ke SMPN 2 melalui sistem domisili.", []string{"ppdb"}},
		{"school capacity", "Daya tampung SMA negeri di provinsi itu hanya 225 ribu kursi.", []string{"ppdb"}},
		{"drain capacity is not admission", "Daya tampung saluran bertambah setelah dikeruk.", []string{"banjir_drainase"}},

		// Prakerja misspelt and by its management office.
		{"Prakerja misspelt", "Program Kartu Prekerja akan didesain ulang.", []string{"prakerja"}},
		{"Prakerja office", "MPPKP akan berkoordinasi dengan Kemendikbud soal data peserta.", []string{"prakerja"}},

		// A permit service and its applicants; a residence permit is not.
		{"permit service", "Pemerintah meluncurkan layanan izin investasi tiga jam.", []string{"perizinan_oss"}},
		{"permit applicants", "Sudah ada 9.310 pengurus izin yang datang ke mal itu.", []string{"perizinan_oss"}},
		{"residence permit service", "Layanan izin tinggal di kantor imigrasi dibuka kembali.", nil},

		// Local taxes misspelt, a lapsed vehicle tax, a tax named near the vehicle; the luxury tax is not.
		{"restaurant tax spelled restauran", "Realisasi pajak restauran mencapai Rp24 miliar.", []string{"pajak_daerah"}},
		{"land transfer duty misspelt", "Pemda diminta membebaskan BPTHB untuk MBR.", []string{"pajak_daerah"}},
		{"lapsed vehicle tax", "Kendaraan yang pajaknya mati dua tahun akan ditilang.", []string{"pajak_daerah"}},
		{"new taxes on vehicles", "Mulai 2025 ada dua pajak baru dalam biaya kendaraan bermotor.", []string{"pajak_daerah"}},
		{"luxury tax is national", "Pemerintah menaikkan pajak penjualan atas barang mewah untuk kendaraan bermotor.", nil},

		// Health posts and services by type.
		{"primary hospital", "Dua RS pratama di perbatasan segera diresmikan.", []string{"kesehatan_puskesmas"}},
		{"village health post", "Setiap pulau sudah memiliki poskesdes.", []string{"kesehatan_puskesmas"}},
		{"mobile health service", "Dinkes menggelar pelayanan kesehatan bergerak di tiga desa terpencil.", []string{"kesehatan_puskesmas"}},

		// Electrification and substations.
		{"electrifying villages", "Pemerintah berupaya melistriki 2.519 desa tahun ini.", []string{"listrik_pln"}},
		{"distribution substations back on", "Sebanyak 296 gardu distribusi kini menyala kembali.", []string{"listrik_pln"}},

		// Bus corridors in operation, a bus service, crowded carriages; an economic corridor is not.
		{"corridors in operation", "Saat ini ada empat koridor yang dioperasikan.", []string{"transportasi_publik"}},
		{"bus service", "Ia kecewa rute layanan bus itu berubah mendadak.", []string{"transportasi_publik"}},
		{"crowded carriages", "Penumpang berdesakan di dalam gerbong setiap pagi.", []string{"transportasi_publik"}},
		{"a mine in an economic corridor", "Perusahaan tambang itu beroperasi di koridor ekonomi Sulawesi.", nil},

		// Denials as no plan to raise a price, a consequence that does not follow, what did not
		// happen here; the same words where nothing is denied.
		{"no plan to adjust fares", "KAI Commuter belum berencana melakukan penyesuaian tarif KRL.", []string{"hoaks", "transportasi_publik"}},
		{"no plan for more nozzles is no denial", "Pertamina belum berencana menambah nozzle Pertalite.", []string{"subsidi_bbm"}},
		{"does not mean fake", "Chip e-KTP yang tidak terbaca tidak serta merta menandakan e-KTP itu palsu.", []string{"ektp", "hoaks"}},
		{"not automatically aid is no denial", "Warga yang terdata tidak serta merta langsung mendapat bansos.", []string{"bansos"}},
		{"did not happen here", "Dinas PUPR menyebut jalan ambles dalam video itu tidak terjadi di wilayahnya.", []string{"hoaks", "jalan"}},

		// Street lighting along a road segment, lighting a street, lamps that are out; a home's lamps
		// in a blackout are not.
		{"solar lamps along a segment", "Puluhan baterai lampu tenaga surya milik dinas yang tersebar di ruas lintas kabupaten hilang dicuri.", []string{"pju"}},
		{"street lit up", "Kini jalan di wilayah itu sudah diterangi cahaya lampu.", []string{"pju"}},
		{"lighting on a street", "Warga mengeluhkan penerangan di jalan itu yang tidak menyala sejak sebulan.", []string{"pju"}},
		{"lamps gone out", "Dishub masih mencari penyebab padamnya lampu-lampu tersebut.", []string{"pju"}},
		{"decorative street lamps", "Lampu hias jalan sebanyak 50 unit dipasang di desa itu.", []string{"pju"}},
		{"lamps to be installed", "Pemkot segera memasang lampu penerangan di kawasan tersebut.", []string{"pju"}},
		{"a home's lamps in a blackout", "Lampu di rumah warga padam karena gangguan PLN.", []string{"listrik_pln"}},

		// Roads by potholes counted, hot mix, toll users, landslide-prone routes, paved access, broken
		// bridges; a weighbridge is not a bridge.
		{"potholes counted", "Sebanyak 13.306 titik lubang telah tertangani.", []string{"jalan"}},
		{"hot mix misspelt", "Pekerjaannya memakai aspal hotmik yang bagus.", []string{"jalan"}},
		{"functional toll roads", "Pemerintah menyediakan sejumlah tol fungsional selama mudik.", []string{"jalan"}},
		{"toll users", "Pengguna tol berhak atas derek gratis sampai pintu keluar terdekat.", []string{"jalan"}},
		{"landslide-prone route", "Kementerian menyiapkan alat berat untuk jalur mudik yang rawan longsor.", []string{"jalan"}},
		{"damaged road five words on", "Jalan di desa tersebut yang semula rusak parah kini selesai diperbaiki.", []string{"jalan"}},
		{"broken bridge", "Selama ini jembatan yang ada rusak sehingga akses warga terhambat.", []string{"jalan"}},
		{"bridge cut in a hoax photo", "Foto putusnya jembatan di Desa Simo itu adalah hoaks.", []string{"hoaks", "jalan"}},
		{"access paved with concrete", "Akses menuju rumahnya kini sudah dicor beton.", []string{"jalan"}},
		{"weighbridge is not a bridge", "Alat di jembatan timbang itu rusak sejak sepekan.", nil},

		// Water tariffs, drinking-water access, village piping, rusty water; an
		// oil pipeline is not.
		{"water tariff", "Dewan merekomendasikan kenaikan tarif air dengan catatan.", []string{"air_bersih"}},
		{"safe drinking water access", "Capaian akses air minum layak di kabupaten itu mencapai 86 persen.", []string{"air_bersih"}},
		{"village piping", "Pipanisasi menjadi solusi bagi warga yang sulit mendapatkan sumber air.", []string{"air_bersih"}},
		{"rusty water", "Air berkarat dan tak bisa diminum.", []string{"air_bersih"}},
		{"fuel pipeline is not water", "Pertamina menyelesaikan pipanisasi BBM dari kilang ke terminal.", nil},

		// Social aid at the e-warong; the BPJS premium subsidy by its members; a Bank Indonesia
		// regulation is not.
		{"aid outlet", "Warga mengambil bantuan di e-warong terdekat.", []string{"bansos"}},
		{"inactive PBI members", "Kepesertaan PBI yang nonaktif masih bisa diaktifkan kembali.", []string{"bpjs_kesehatan"}},
		{"central bank regulation", "Bank Indonesia menerbitkan PBI baru tentang sistem pembayaran.", nil},

		// Fuel hard to get or short, the fishermen's diesel outlet.
		{"fishermen's diesel outlet", "Ada tiga unit SPDN yang bisa digunakan di Kupang.", []string{"subsidi_bbm"}},
		{"fuel hard to get", "Setiap akhir tahun BBM sulit didapatkan.", []string{"subsidi_bbm"}},
		{"waiting to get diesel", "Demi mendapatkan solar, sopir truk menunggu belasan jam.", []string{"subsidi_bbm"}},
		{"fuel shortage", "Nelayan mengeluhkan kekurangan BBM di kampung itu.", []string{"subsidi_bbm"}},

		// School admission by the merit route, pupils not admitted, the affirmative route explained.
		{"merit route", "Ia mendaftar sejak hari pertama jalur prestasi dibuka.", []string{"ppdb"}},
		{"not admitted to a state school", "Ada sembilan siswa yang tidak diterima di sekolah negeri.", []string{"ppdb"}},
		{"affirmative route explained", "Afirmasi adalah program pemerintah untuk mendorong siswa kurang mampu bersekolah.", []string{"ppdb"}},

		// Vehicle taxpayers, the licensing office and investment reports, buildings without permits.
		{"vehicle taxpayer", "Wajib pajak yang kendaraannya mati saat libur tidak kena denda.", []string{"pajak_daerah"}},
		{"licensing office", "Pemohon mendaftarkan permohonannya di BP2TPM.", []string{"perizinan_oss"}},
		{"investment report", "Laporan LKPM belum bisa dibuka sejak pagi.", []string{"perizinan_oss"}},
		{"building without a permit", "Bangunan itu berdiri tanpa izin di dekat kantor wali kota.", []string{"perizinan_oss"}},

		// The power system and substation faults; the child card counted in pieces; free meals.
		{"power system", "Kondisi kelistrikan saat libur lebaran diproyeksi aman.", []string{"listrik_pln"}},
		{"substation fault", "Ada indikasi gangguan di gardu yang menyuplai kawasan itu.", []string{"listrik_pln"}},
		{"child cards in pieces", "Tahun ini KIA ditargetkan sebanyak 30 ribu keping.", []string{"kk_akta"}},
		{"free meal programme", "Program makan gratis telah menjangkau ratusan sekolah.", []string{"mbg"}},
		{"nutritious meal packs", "Seribu paket makan bergizi dinikmati siswa.", []string{"mbg"}},

		// School buses, feeders and buses in operation, a city bus by name.
		{"school bus fleet", "Jumlah armada bus sekolah kini tidak memadai.", []string{"transportasi_publik"}},
		{"free school transport", "Program angkutan sekolah gratis dimulai Juni.", []string{"transportasi_publik"}},
		{"feeder hours", "Feeder akan beroperasi selama 16 jam per hari.", []string{"transportasi_publik"}},
		{"buses in operation", "Kini jumlah bus yang beroperasi hanya 85 unit.", []string{"transportasi_publik"}},
		{"city bus by name", "Mereka naik Surabaya Bus setiap pagi.", []string{"transportasi_publik"}},

		// Denials as what was never said, a fake app, a claim introduced as circulating, a link
		// spreading, an office denying it, a service running as usual.
		{"price never named", "Pertamina menegaskan harga Rp4.000 untuk Pertalite tidak pernah disebut.", []string{"hoaks", "subsidi_bbm"}},
		{"fake app", "Segala aplikasi yang menyebut dirinya Prakerja ialah palsu.", []string{"hoaks", "prakerja"}},
		{"claim introduced as circulating", "Beredar informasi menyebut kuota PPDB dikurangi.", []string{"hoaks", "ppdb"}},
		{"link spreading", "Banyak link yang tersebar di WhatsApp mengajak warga mendaftar Prakerja.", []string{"hoaks", "prakerja"}},
		{"office denies it", "Dishub DKI membantahnya dan menyatakan tarif Mikrotrans tetap gratis.", []string{"hoaks", "transportasi_publik"}},
		{"hospital running as usual", "RSUD itu masih beroperasi seperti biasa dan IGD tetap buka.", []string{"hoaks", "kesehatan_puskesmas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.Analyze(analyzer.Document{Text: tt.text, Lang: "id"})
			var got []string
			for _, m := range r.Mentions {
				got = append(got, m.Programme)
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("programmes %v, want %v", got, want)
			}
		})
	}
}
