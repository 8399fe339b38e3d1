using System.Globalization;
using static Registrator.Media.FfmpegNative;

namespace Registrator.Media;

/// <summary>
/// Streams BGR24 frames into an H.264 (libx264, yuv420p) MP4 file with the machine's FFmpeg libraries,
/// in-process. Frames are converted with libswscale into one reused native frame, so the per-frame
/// path allocates nothing managed. One instance is one file and is not thread-safe; independent
/// instances share no native state and may run concurrently.
/// </summary>
/// <remarks>
/// yuv420p stores one chroma sample per 2×2 pixels, so x264 needs even dimensions: an odd width or
/// height is padded by one column or row that repeats the last one (not black, so no dark or green
/// line shows at the border), and the clip is then
/// <see cref="EncodedWidth"/> × <see cref="EncodedHeight"/> (each rounded up to even).
/// The file is complete only after <see cref="Finish"/>; a writer disposed before that leaves a
/// truncated file for the caller to delete.
/// </remarks>
public sealed unsafe class Mp4Writer : IDisposable
{
    private readonly int _width;
    private readonly int _height;
    private readonly AVRational _codecTimeBase;
    private AVRational _streamTimeBase;
    private void* _format;
    private void* _codec;
    private void* _stream;
    private void* _frame;
    private void* _packet;
    private void* _scaler;
    private byte[]? _paddedBgr;
    private long _nextPts;
    private bool _finished;
    private bool _disposed;

    /// <summary>
    /// Creates <paramref name="path"/> (always MP4, whatever the extension, so a temporary name works)
    /// and writes the MP4 header. Throws <see cref="MediaException"/> when FFmpeg is unusable, the
    /// options are invalid or the file cannot be created.
    /// </summary>
    public Mp4Writer(string path, int width, int height, EncoderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        FrameSize.Validate(width, height);
        options.Validate();
        FfmpegRuntime.EnsureAvailable();

        _width = width;
        _height = height;
        EncodedWidth = (width + 1) & ~1;
        EncodedHeight = (height + 1) & ~1;
        _codecTimeBase = new AVRational(1, options.FramesPerSecond);

        try
        {
            OpenEncoder(options);
            OpenMuxer(path, options.FramesPerSecond);
            AllocateFrames();
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Clip width: the frame width, rounded up to even.</summary>
    public int EncodedWidth { get; }

    /// <summary>Clip height: the frame height, rounded up to even.</summary>
    public int EncodedHeight { get; }

    /// <summary>Frames written so far.</summary>
    public int FrameCount => (int)_nextPts;

    /// <summary>Converts and encodes one frame of the size given to the constructor.</summary>
    public void Write(BgrFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ThrowIfUnusable();
        FrameSize.RequireLength(frame, _width, _height, FrameCount);

        // The encoder may still reference the previous picture (frame threading); this copies only then.
        FfmpegErrors.Check(av_frame_make_writable(_frame), "av_frame_make_writable");
        var data = (byte**)Field<nint>(_frame, Layout.FrameData);
        var linesize = Field<int>(_frame, Layout.FrameLinesize);

        var source = _paddedBgr is null ? frame.Pixels : PadToEven(frame.Pixels);
        fixed (byte* pixels = source)
        {
            var sourceSlices = stackalloc byte*[4] { pixels, null, null, null };
            var sourceStrides = stackalloc int[4] { EncodedWidth * 3, 0, 0, 0 };
            var rows = sws_scale(_scaler, sourceSlices, sourceStrides, 0, EncodedHeight, data, linesize);
            if (rows <= 0)
            {
                throw new MediaException($"sws_scale converted no rows of a {EncodedWidth}x{EncodedHeight} frame");
            }
        }

        *Field<long>(_frame, Layout.FramePts) = _nextPts;
        FfmpegErrors.Check(avcodec_send_frame(_codec, _frame), "avcodec_send_frame");
        _nextPts++;
        DrainPackets();
    }

    /// <summary>
    /// Flushes the frames x264 still holds (look-ahead, B-frames), writes the MP4 trailer and closes
    /// the file. Required for a playable clip; at least one frame must have been written.
    /// </summary>
    public void Finish()
    {
        ThrowIfUnusable();
        if (_nextPts == 0)
        {
            throw new MediaException("no frames to encode");
        }

        _finished = true;
        FfmpegErrors.Check(avcodec_send_frame(_codec, null), "avcodec_send_frame (flush)");
        DrainPackets();
        FfmpegErrors.Check(av_write_trailer(_format), "av_write_trailer");
        FfmpegErrors.Check(avio_closep((void**)Field<nint>(_format, Layout.FormatContextPb)), "avio_closep");
    }

    /// <summary>Frees every native resource; closes (without finishing) a file still open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    // A writer dropped without Dispose would otherwise leak the encoder state (megabytes per clip).
    ~Mp4Writer() => Release();

    private void OpenEncoder(EncoderOptions options)
    {
        var codec = avcodec_find_encoder_by_name("libx264");
        if (codec is null)
        {
            throw new MediaException("libx264 encoder not found");
        }

        _codec = avcodec_alloc_context3(codec);
        if (_codec is null)
        {
            throw new MediaException("avcodec_alloc_context3 returned no context");
        }

        // Option names, not struct fields: AVCodecContext's layout changes between FFmpeg releases.
        SetOption("video_size", string.Create(CultureInfo.InvariantCulture, $"{EncodedWidth}x{EncodedHeight}"));
        SetOption("pixel_format", "yuv420p");
        FfmpegErrors.Check(av_opt_set_q(_codec, "time_base", _codecTimeBase, 0), "setting time_base");
        FfmpegErrors.Check(av_opt_set_int(_codec, "threads", options.Threads, 0), "setting threads");
        // MP4 keeps SPS/PPS in the avcC box, so x264 must emit them as extradata, not in-band.
        SetOption("flags", "+global_header");
        SetOption("preset", options.Preset, AV_OPT_SEARCH_CHILDREN);
        FfmpegErrors.Check(av_opt_set_double(_codec, "crf", options.Crf, AV_OPT_SEARCH_CHILDREN), "setting crf");

        var opened = avcodec_open2(_codec, codec, null);
        if (opened < 0)
        {
            throw new MediaException(
                $"libx264 rejected {EncodedWidth}x{EncodedHeight} at {options.FramesPerSecond} fps, preset '{options.Preset}', " +
                $"crf {options.Crf}: {FfmpegErrors.Describe(opened)}");
        }
    }

    private void SetOption(string name, string value, int searchFlags = 0)
    {
        var result = av_opt_set(_codec, name, value, searchFlags);
        if (result < 0)
        {
            throw new MediaException($"setting encoder option {name}={value} failed: {FfmpegErrors.Describe(result)}");
        }
    }

    private void OpenMuxer(string path, int framesPerSecond)
    {
        var fullPath = Path.GetFullPath(path);
        // "file:" stops libavformat from reading a colon in the path as a protocol name.
        var url = "file:" + fullPath;
        void* format = null;
        FfmpegErrors.Check(avformat_alloc_output_context2(&format, null, "mp4", url), "avformat_alloc_output_context2");
        _format = format;

        _stream = avformat_new_stream(_format, null);
        if (_stream is null)
        {
            throw new MediaException("avformat_new_stream returned no stream");
        }

        var parameters = *Field<nint>(_stream, Layout.StreamCodecpar);
        FfmpegErrors.Check(avcodec_parameters_from_context((void*)parameters, _codec), "avcodec_parameters_from_context");
        VerifyLayout((void*)parameters);

        // The muxer derives the MP4 timescale from the stream time base (1/fps → 10240 for 10 fps)
        // and may replace it in avformat_write_header, so it is read back below.
        *Field<AVRational>(_stream, Layout.StreamTimeBase) = _codecTimeBase;
        *Field<AVRational>(_stream, Layout.StreamAvgFrameRate) = new AVRational(framesPerSecond, 1);

        var opened = avio_open((void**)Field<nint>(_format, Layout.FormatContextPb), url, AVIO_FLAG_WRITE);
        if (opened < 0)
        {
            throw new MediaException($"cannot create '{fullPath}': {FfmpegErrors.Describe(opened)}");
        }

        FfmpegErrors.Check(avformat_write_header(_format, null), "avformat_write_header");
        _streamTimeBase = *Field<AVRational>(_stream, Layout.StreamTimeBase);
        if (_streamTimeBase.Num <= 0 || _streamTimeBase.Den <= 0)
        {
            throw new MediaException($"MP4 muxer chose an invalid time base {_streamTimeBase.Num}/{_streamTimeBase.Den}");
        }
    }

    // Every offset in FfmpegNative.Layout comes from the 5.1 headers; the major-version check makes a
    // mismatch unlikely, and this catches the rest (a patched or differently configured build) before
    // a wrong offset is ever written to.
    private void VerifyLayout(void* parameters)
    {
        var streamCount = *Field<uint>(_format, Layout.FormatContextNbStreams);
        var streams = *Field<nint>(_format, Layout.FormatContextStreams);
        var layoutMatches =
            streamCount == 1
            && streams != 0
            && *(nint*)streams == (nint)_stream
            && *Field<int>(_stream, Layout.StreamIndex) == 0
            && *Field<int>(parameters, Layout.CodecparCodecId) == AV_CODEC_ID_H264
            && *Field<int>(parameters, Layout.CodecparWidth) == EncodedWidth
            && *Field<int>(parameters, Layout.CodecparHeight) == EncodedHeight;
        if (!layoutMatches)
        {
            throw new MediaException(
                $"FFmpeg struct layout differs from the one FfmpegNative was written for ({FfmpegRuntime.Describe()}); refusing to write");
        }
    }

    private void AllocateFrames()
    {
        _frame = av_frame_alloc();
        _packet = av_packet_alloc();
        if (_frame is null || _packet is null)
        {
            throw new MediaException("out of memory allocating an AVFrame or AVPacket");
        }

        *Field<int>(_frame, Layout.FrameWidth) = EncodedWidth;
        *Field<int>(_frame, Layout.FrameHeight) = EncodedHeight;
        *Field<int>(_frame, Layout.FrameFormat) = AV_PIX_FMT_YUV420P;
        FfmpegErrors.Check(av_frame_get_buffer(_frame, 0), "av_frame_get_buffer");

        // Odd frames are padded in BGR before conversion rather than converted at their odd size:
        // libswscale would then sample chroma on a 641→321 grid, slightly off the luma positions,
        // which costs several dB at colour edges. Padding costs one row-wise copy per frame into
        // this buffer, allocated once; even frames are converted straight from the pinned array.
        if (EncodedWidth != _width || EncodedHeight != _height)
        {
            _paddedBgr = new byte[FrameSize.ByteCount(EncodedWidth, EncodedHeight)];
        }

        // Same size in and out: libswscale only converts colour and subsamples chroma.
        _scaler = sws_getContext(
            EncodedWidth, EncodedHeight, AV_PIX_FMT_BGR24, EncodedWidth, EncodedHeight, AV_PIX_FMT_YUV420P,
            SWS_BICUBIC, null, null, null);
        if (_scaler is null)
        {
            throw new MediaException($"sws_getContext cannot convert {EncodedWidth}x{EncodedHeight} BGR24 to yuv420p");
        }
    }

    // Copies the frame into the even-sized buffer, repeating its last column and row.
    private byte[] PadToEven(byte[] pixels)
    {
        var padded = _paddedBgr!;
        var sourceStride = _width * 3;
        var paddedStride = EncodedWidth * 3;
        for (var y = 0; y < _height; y++)
        {
            var row = padded.AsSpan(y * paddedStride, paddedStride);
            pixels.AsSpan(y * sourceStride, sourceStride).CopyTo(row);
            if (EncodedWidth != _width)
            {
                row.Slice(sourceStride - 3, 3).CopyTo(row[sourceStride..]);
            }
        }

        if (EncodedHeight != _height)
        {
            padded.AsSpan((_height - 1) * paddedStride, paddedStride).CopyTo(padded.AsSpan(_height * paddedStride));
        }

        return padded;
    }

    private void DrainPackets()
    {
        while (true)
        {
            var received = avcodec_receive_packet(_codec, _packet);
            if (received is AVERROR_EAGAIN or AVERROR_EOF)
            {
                return;
            }

            FfmpegErrors.Check(received, "avcodec_receive_packet");

            // Each frame lasts one tick of 1/fps. Without an explicit duration the muxer guesses the
            // last sample's length, and the clip's average frame rate comes out below fps.
            var duration = Field<long>(_packet, Layout.PacketDuration);
            if (*duration == 0)
            {
                *duration = 1;
            }

            av_packet_rescale_ts(_packet, _codecTimeBase, _streamTimeBase);
            *Field<int>(_packet, Layout.PacketStreamIndex) = 0;
            // Takes ownership of the packet's data and leaves the packet blank for the next receive.
            FfmpegErrors.Check(av_interleaved_write_frame(_format, _packet), "av_interleaved_write_frame");
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
        {
            throw new InvalidOperationException("the clip is already finished");
        }
    }

    private void Release()
    {
        if (_scaler is not null)
        {
            sws_freeContext(_scaler);
            _scaler = null;
        }

        if (_frame is not null)
        {
            var frame = _frame;
            av_frame_free(&frame);
            _frame = null;
        }

        if (_packet is not null)
        {
            var packet = _packet;
            av_packet_free(&packet);
            _packet = null;
        }

        if (_codec is not null)
        {
            var codec = _codec;
            avcodec_free_context(&codec);
            _codec = null;
        }

        if (_format is not null)
        {
            // Closes a file still open after a failure; a no-op after Finish, which closed it.
            avio_closep((void**)Field<nint>(_format, Layout.FormatContextPb));
            avformat_free_context(_format);
            _format = null;
            _stream = null;
        }
    }
}
