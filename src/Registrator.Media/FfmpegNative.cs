// Longer than 300 lines because it is the one place that binds FFmpeg: every P/Invoke, constant and struct layout we use sits together.
// The whole FFmpeg binding: every native function this library calls, the few struct offsets it
// reads or writes, and the resolver that finds the shared libraries.
//
// Why pure P/Invoke and not a C shim compiled at build time: a shim would need gcc and the -dev
// headers on every machine that builds the solution, an MSBuild Exec step, and a native artifact to
// copy next to the assemblies. Instead the binding avoids struct layouts almost entirely:
//   * AVCodecContext (the live x264 session, the h264 decoder) is configured only through the
//     AVOptions API (av_opt_set* by option name; AV_OPT_SEARCH_CHILDREN reaches libx264's private
//     options such as "preset", "tune", "crf" and "forced-idr"), so no codec struct is touched.
//   * The remaining offsets (Layout below) were read from the FFmpeg 5.1 headers and checked with
//     offsetof() against /usr/include/x86_64-linux-gnu/libav* (avcodec 59.37, avformat 59.27,
//     avutil 57.28). They are only valid for those major versions, so FfmpegRuntime refuses any
//     other major before the first struct is touched, and Mp4PacketMuxer re-checks the offsets it
//     relies on against values FFmpeg itself sets (stream count, stream pointer, the blank codec
//     parameters of a new stream), H264Decoder the decoded picture's size.
//   * AVCodecParameters has no AVOptions and no setter for extradata (the SPS/PPS the MP4 avcC box
//     needs), so the muxer writes its fields by offset; that is the one struct this binding fills.
// The resolver tries the sonames of several FFmpeg releases so that a newer FFmpeg loads and is then
// rejected with a clear version message, rather than failing with a bare "library not found".

using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Registrator.Media;

/// <summary>Minimal native binding to libavcodec, libavformat, libavutil and libswscale (FFmpeg 5.1).</summary>
internal static unsafe partial class FfmpegNative
{
    private const string AvCodec = "avcodec";
    private const string AvFormat = "avformat";
    private const string AvUtil = "avutil";
    private const string SwScale = "swscale";

    /// <summary>Major versions the offsets in <see cref="Layout"/> were taken from (FFmpeg 5.1).</summary>
    internal const int AvCodecMajor = 59;
    internal const int AvFormatMajor = 59;
    internal const int AvUtilMajor = 57;
    internal const int SwScaleMajor = 6;

    internal const int AV_PIX_FMT_YUV420P = 0;
    internal const int AV_PIX_FMT_BGR24 = 3;
    internal const int AV_CODEC_ID_H264 = 27;
    internal const int AV_OPT_SEARCH_CHILDREN = 1;
    internal const int AVIO_FLAG_WRITE = 2;
    internal const int SWS_BICUBIC = 4;
    internal const int AV_LOG_ERROR = 16;
    internal const int AVERROR_EAGAIN = -11;
    internal const int AVERROR_EOF = -541478725; // FFERRTAG('E','O','F',' ')
    internal const int AVMEDIA_TYPE_UNKNOWN = -1;
    internal const int AVMEDIA_TYPE_VIDEO = 0;
    internal const int AV_PICTURE_TYPE_NONE = 0;    // let the encoder choose the frame type
    internal const int AV_PICTURE_TYPE_I = 1;       // with libx264's forced-idr=1: an IDR frame
    internal const int AV_PKT_FLAG_KEY = 1;         // AVPacket.flags bit of a keyframe (IDR)
    internal const int AV_INPUT_BUFFER_PADDING_SIZE = 64; // zeroed bytes every bitstream buffer needs past its end

    private static readonly ConcurrentDictionary<string, nint> Loaded = new(StringComparer.Ordinal);

    // An explicit static constructor guarantees the resolver is registered before the first
    // generated stub binds to its library.
    static FfmpegNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(FfmpegNative).Assembly, Resolve);
    }

    /// <summary>The file names tried, in order, for one of the four logical library names.</summary>
    internal static IReadOnlyList<string> CandidateNames(string library) => library switch
    {
        AvCodec => ["libavcodec.so.59", "libavcodec.so.60", "libavcodec.so.61", "libavcodec.so"],
        AvFormat => ["libavformat.so.59", "libavformat.so.60", "libavformat.so.61", "libavformat.so"],
        AvUtil => ["libavutil.so.57", "libavutil.so.58", "libavutil.so.59", "libavutil.so"],
        SwScale => ["libswscale.so.6", "libswscale.so.7", "libswscale.so.8", "libswscale.so"],
        _ => [],
    };

    private static nint Resolve(string library, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var candidates = CandidateNames(library);
        if (candidates.Count == 0)
        {
            return 0;
        }

        return Loaded.GetOrAdd(library, static (name, names) =>
        {
            foreach (var file in names)
            {
                if (NativeLibrary.TryLoad(file, out var handle))
                {
                    return handle;
                }
            }

            throw new DllNotFoundException($"lib{name} not found (tried {string.Join(", ", names)})");
        }, candidates);
    }

    /// <summary>AVRational, passed by value to FFmpeg (8 bytes, returned in a register on x86-64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct AVRational(int Num, int Den);

    /// <summary>
    /// Byte offsets of the struct fields this binding touches, from the FFmpeg 5.1 headers
    /// (verified with offsetof on x86-64). Only valid for the majors above.
    /// </summary>
    internal static class Layout
    {
        public const int FormatContextPb = 32;          // AVFormatContext.pb (AVIOContext*)
        public const int FormatContextNbStreams = 44;   // AVFormatContext.nb_streams (unsigned)
        public const int FormatContextStreams = 48;     // AVFormatContext.streams (AVStream**)
        public const int StreamIndex = 0;               // AVStream.index (int)
        public const int StreamTimeBase = 16;           // AVStream.time_base (AVRational)
        public const int StreamAvgFrameRate = 72;       // AVStream.avg_frame_rate (AVRational)
        public const int StreamCodecpar = 208;          // AVStream.codecpar (AVCodecParameters*)
        public const int CodecparCodecType = 0;         // AVCodecParameters.codec_type (enum AVMediaType)
        public const int CodecparCodecId = 4;           // AVCodecParameters.codec_id (enum)
        public const int CodecparExtradata = 16;        // AVCodecParameters.extradata (uint8_t*, av_malloc'd, freed by FFmpeg)
        public const int CodecparExtradataSize = 24;    // AVCodecParameters.extradata_size (int, without the padding)
        public const int CodecparFormat = 28;           // AVCodecParameters.format (int, enum AVPixelFormat)
        public const int CodecparWidth = 56;            // AVCodecParameters.width (int)
        public const int CodecparHeight = 60;           // AVCodecParameters.height (int)
        public const int PacketPts = 8;                 // AVPacket.pts (int64)
        public const int PacketDts = 16;                // AVPacket.dts (int64)
        public const int PacketData = 24;               // AVPacket.data (uint8_t*)
        public const int PacketSize = 32;               // AVPacket.size (int)
        public const int PacketStreamIndex = 36;        // AVPacket.stream_index (int)
        public const int PacketFlags = 40;              // AVPacket.flags (int, AV_PKT_FLAG_*)
        public const int PacketDuration = 64;           // AVPacket.duration (int64)
        public const int FrameData = 0;                 // AVFrame.data (uint8_t*[8])
        public const int FrameLinesize = 64;            // AVFrame.linesize (int[8])
        public const int FrameWidth = 104;              // AVFrame.width (int)
        public const int FrameHeight = 108;             // AVFrame.height (int)
        public const int FrameFormat = 116;             // AVFrame.format (int)
        public const int FramePictType = 124;           // AVFrame.pict_type (enum AVPictureType)
        public const int FramePts = 136;                // AVFrame.pts (int64)
    }

    /// <summary>Frees an AVFrame, if any, and clears the pointer: release paths may run twice (Dispose, then the finalizer).</summary>
    internal static void FreeFrame(ref void* frame)
    {
        if (frame is null) return;
        var owned = frame;
        av_frame_free(&owned);
        frame = null;
    }

    /// <summary>Frees an AVPacket, if any, and clears the pointer.</summary>
    internal static void FreePacket(ref void* packet)
    {
        if (packet is null) return;
        var owned = packet;
        av_packet_free(&owned);
        packet = null;
    }

    /// <summary>Frees an AVCodecContext, if any, and clears the pointer.</summary>
    internal static void FreeCodecContext(ref void* context)
    {
        if (context is null) return;
        var owned = context;
        avcodec_free_context(&owned);
        context = null;
    }

    /// <summary>Pointer to a field at a byte offset of a native struct.</summary>
    internal static T* Field<T>(void* structure, int offset)
        where T : unmanaged => (T*)((byte*)structure + offset);

    // libavutil
    [LibraryImport(AvUtil)]
    internal static partial uint avutil_version();

    [LibraryImport(AvUtil)]
    internal static partial int av_strerror(int errnum, byte* errbuf, nuint errbufSize);

    [LibraryImport(AvUtil)]
    internal static partial int av_log_get_level();

    [LibraryImport(AvUtil)]
    internal static partial void av_log_set_level(int level);

    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int av_opt_set(void* obj, string name, string val, int searchFlags);

    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int av_opt_set_int(void* obj, string name, long val, int searchFlags);

    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int av_opt_set_double(void* obj, string name, double val, int searchFlags);

    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int av_opt_set_q(void* obj, string name, AVRational val, int searchFlags);

    [LibraryImport(AvUtil)]
    internal static partial void* av_frame_alloc();

    [LibraryImport(AvUtil)]
    internal static partial void av_frame_free(void** frame);

    [LibraryImport(AvUtil)]
    internal static partial int av_frame_get_buffer(void* frame, int align);

    [LibraryImport(AvUtil)]
    internal static partial int av_frame_make_writable(void* frame);

    [LibraryImport(AvUtil)]
    internal static partial void av_frame_unref(void* frame);

    /// <summary>Moves every reference of <paramref name="source"/> to the blank <paramref name="destination"/>; <paramref name="source"/> is left blank.</summary>
    [LibraryImport(AvUtil)]
    internal static partial void av_frame_move_ref(void* destination, void* source);

    /// <summary>Zeroed memory FFmpeg may later free itself (AVCodecParameters.extradata is released with the format context).</summary>
    [LibraryImport(AvUtil)]
    internal static partial void* av_mallocz(nuint size);

    /// <summary>Adds or replaces an entry of an AVDictionary, allocating the dictionary on first use.</summary>
    [LibraryImport(AvUtil, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int av_dict_set(void** dictionary, string key, string value, int flags);

    /// <summary>Entries left in a dictionary: after avformat_write_header, the options the muxer did not recognise.</summary>
    [LibraryImport(AvUtil)]
    internal static partial int av_dict_count(void* dictionary);

    [LibraryImport(AvUtil)]
    internal static partial void av_dict_free(void** dictionary);

    // libavcodec
    [LibraryImport(AvCodec)]
    internal static partial uint avcodec_version();

    [LibraryImport(AvCodec, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void* avcodec_find_encoder_by_name(string name);

    /// <summary>FFmpeg's own decoder for a codec id (for H.264 the native "h264" decoder, not a wrapper).</summary>
    [LibraryImport(AvCodec)]
    internal static partial void* avcodec_find_decoder(int codecId);

    [LibraryImport(AvCodec)]
    internal static partial void* avcodec_alloc_context3(void* codec);

    [LibraryImport(AvCodec)]
    internal static partial void avcodec_free_context(void** context);

    [LibraryImport(AvCodec)]
    internal static partial int avcodec_open2(void* context, void* codec, void** options);

    [LibraryImport(AvCodec)]
    internal static partial int avcodec_send_frame(void* context, void* frame);

    [LibraryImport(AvCodec)]
    internal static partial int avcodec_receive_packet(void* context, void* packet);

    /// <summary>Feeds one compressed packet to a decoder; a null packet starts the flush (drain) at the end of the stream.</summary>
    [LibraryImport(AvCodec)]
    internal static partial int avcodec_send_packet(void* context, void* packet);

    [LibraryImport(AvCodec)]
    internal static partial int avcodec_receive_frame(void* context, void* frame);

    [LibraryImport(AvCodec)]
    internal static partial void* av_packet_alloc();

    [LibraryImport(AvCodec)]
    internal static partial void av_packet_free(void** packet);

    /// <summary>Gives a blank packet a new reference-counted buffer of <paramref name="size"/> bytes plus zeroed padding.</summary>
    [LibraryImport(AvCodec)]
    internal static partial int av_new_packet(void* packet, int size);

    /// <summary>Drops the packet's buffer reference and resets its fields, so the packet can be received or filled again.</summary>
    [LibraryImport(AvCodec)]
    internal static partial void av_packet_unref(void* packet);

    [LibraryImport(AvCodec)]
    internal static partial void av_packet_rescale_ts(void* packet, AVRational source, AVRational destination);

    // libavformat
    [LibraryImport(AvFormat)]
    internal static partial uint avformat_version();

    [LibraryImport(AvFormat, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int avformat_alloc_output_context2(void** context, void* format, string formatName, string fileName);

    [LibraryImport(AvFormat)]
    internal static partial void avformat_free_context(void* context);

    [LibraryImport(AvFormat)]
    internal static partial void* avformat_new_stream(void* context, void* codec);

    [LibraryImport(AvFormat, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int avio_open(void** io, string url, int flags);

    [LibraryImport(AvFormat)]
    internal static partial int avio_closep(void** io);

    [LibraryImport(AvFormat)]
    internal static partial int avformat_write_header(void* context, void** options);

    [LibraryImport(AvFormat)]
    internal static partial int av_interleaved_write_frame(void* context, void* packet);

    [LibraryImport(AvFormat)]
    internal static partial int av_write_trailer(void* context);

    // libswscale
    [LibraryImport(SwScale)]
    internal static partial uint swscale_version();

    [LibraryImport(SwScale)]
    internal static partial void* sws_getContext(
        int srcW, int srcH, int srcFormat, int dstW, int dstH, int dstFormat,
        int flags, void* srcFilter, void* dstFilter, double* param);

    [LibraryImport(SwScale)]
    internal static partial int sws_scale(
        void* context, byte** srcSlice, int* srcStride, int srcSliceY, int srcSliceH, byte** dst, int* dstStride);

    [LibraryImport(SwScale)]
    internal static partial void sws_freeContext(void* context);
}
