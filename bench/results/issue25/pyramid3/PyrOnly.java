import java.nio.file.*;
import java.lang.foreign.*;
import org.bigarrays.array.*;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.*;
import org.bigarrays.downsample.*;
import org.bigarrays.precomputed.Info;
public class PyrOnly {
  public static void main(String[] a) throws Exception {
    boolean seg = a[0].equals("seg"); int reps = Integer.parseInt(a[1]);
    DataType t = seg ? DataType.UINT64 : DataType.UINT8;
    Path dir = Files.createTempDirectory("pyronly");
    Info info = Info.builder(t, new long[]{512,512,256}, new long[]{64,64,64}).type(seg?"segmentation":"image").encoding(seg?"compressed_segmentation":"raw").build();
    Options opts = Options.defaults().withCompression(seg?Compression.NONE:Compression.GZIP);
    String url = dir.resolve("l").toString();
    try (BigArray b = BigArray.create(url, info, opts)) {
      NdView v = b.read(b.bounds()); long[] s = v.shape(); MemorySegment m = v.segment(); long i=0;
      for (long z=0;z<s[2];z++) for (long y=0;y<s[1];y++) for (long x=0;x<s[0];x++,i++) {
        if (!seg) m.set(ValueLayout.JAVA_BYTE, v.byteOffset()+i, (byte)((x+2*y+3*z)/4 + ((i*0x9E3779B97F4A7C15L)>>>61)));
        else m.set(ValueLayout.JAVA_LONG_UNALIGNED, v.byteOffset()+8*i, 1+(x/10)+100*(y/12)+10_000*(z/6));
      }
      b.write(v);
    }
    String info0 = Files.readString(dir.resolve("l/info"));
    for (int r = 0; r < reps; r++) {
      // drop added scales: restore info and remove new scale dirs
      Files.writeString(dir.resolve("l/info"), info0);
      try (var st = Files.list(dir.resolve("l"))) { for (Path p : st.toList()) if (Files.isDirectory(p) && !p.getFileName().toString().equals("1_1_1")) deleteAll(p); else if (!Files.isDirectory(p) && !p.getFileName().toString().equals("info")) Files.delete(p); }
      try (BigArray b = BigArray.open(url, opts)) {
        long t0 = System.nanoTime();
        Pyramid.build(b, PyramidSpec.defaults().withMips(3).withFactor(2,2,2).withMethod(DownsampleMethod.defaultFor(seg?"segmentation":"image")));
        System.out.printf("rep %d %.3f s%n", r, (System.nanoTime()-t0)/1e9);
      }
    }
  }
  static void deleteAll(Path p) throws Exception { try (var s = Files.walk(p)) { for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q); } }
}
