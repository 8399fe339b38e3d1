// Longer than 300 lines because one live encoder session (open, encode, drain, reopen on a new size, release) shares its native handles.
using System.Globalization;
using static Registrator.Media.FfmpegNative;

namespace Registrator.Media;

/// <summary>
/// One live libx264 session for one camera: each BGR24 frame is encoded the moment it arrives and its
/// H.264 packet comes straight back, so a task buffers packets (a few kB a frame) instead of raw
/// frames, and registration only muxes. Not thread-safe (one camera, one caller at a time);
/// independent sessions share no native state and may run concurrently.
/// </summary>
/// <remarks>
/// The encoder is set up so that exactly one packet leaves per frame, at once: x264's
/// <c>tune=zerolatency</c> (no look-ahead, no B-frames, no frame delay), one thread (<c>threads=1</c>,
/// so no frame, sliced or look-ahead threads either: an encoder pool scales by running many sessions,
/// and a thread set per camera would oversubscribe the cores), scene-cut detection off so a GOP is
/// exactly <see cref="EncoderOptions.EffectiveKeyint"/> frames unless a keyframe is forced, and no
/// global header, so every IDR repeats SPS/PPS in-band and every GOP decodes on its own.
/// yuv420p needs even dimensions: an odd width or height is padded by one column or row that repeats
/// the last one (not black, so no dark or green line shows at the border) and the stream is then
/// <see cref="EncodedWidth"/> × <see cref="EncodedHeight"/>. Frames are copied into one reused native
/// BGR frame and converted with libswscale into one reused native yuv420p frame, so the per-frame path
/// allocates only the packet's managed copy.
/// </remarks>
public sealed unsafe class H264Session : IDisposable
{
    // How much one session costs, measured (H264SessionResourceTests.Native_memory_of_one_session_is_measured):
    // VmRSS, after an aggressive GC and malloc_trim, before and after opening 20 sessions at 640x480
    // and encoding 3 testsrc2 frames in each, divided by 20; veryfast, crf 23, FFmpeg 5.1.9 / libx264,
    // x86-64. Result: 8.4 to 8.9 MB a session over several runs. Without the BGR staging frame
    // (3 bytes a pixel) the same measurement gave 7.3 to 8.0 MB at 640x480, 2.75 MB at 320x240,
    // 21.7 MB at 1280x720 and 44.8 MB at 1920x1080 (12 sessions each): x264's picture buffers
    // (reference, reconstruction and source planes with borders, per-macroblock tables) grow with the
    // area at about 21 bytes a pixel on top of a fixed part (contexts, swscale and x264 tables) of
    // about 1.2 MB, rounded up to 1.5 MB to cover the later 8.9 MB reading. RSS stayed the same
    // after 40 frames with a forced IDR as after 3, so the figure holds for a long-running session.
    // Resident memory is what presses on the machine; x264 allocates more than it touches (glibc's
    // mallinfo2 counts 11 to 15 MB in use per 640x480 session). Slower presets keep more reference
    // frames and need more.
    private const long MeasuredFixedBytes = 1_500_000;
    private const long MeasuredBytesPerPixel = 24;

    private readonly AVRational _timeBase;
    private void* _codec;
    private void* _frame;
    private void* _bgr;
    private void* _packet;
    private void* _scaler;
    private long _lastPts = long.MinValue;
    private bool _failed;
    private bool _disposed;

    /// <summary>
    /// Opens libx264 for <paramref name="width"/> × <paramref name="height"/> BGR24 frames with the
    /// preset, crf, frame rate and GOP length of <paramref name="options"/>. Throws
    /// <see cref="MediaException"/> when the size or options are invalid, FFmpeg is unusable or
    /// libx264 is missing or rejects the settings.
    /// </summary>
    public H264Session(int width, int height, EncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FrameSize.Validate(width, height);
        options.Validate();
        FfmpegRuntime.EnsureAvailable();

        Width = width;
        Height = height;
        EncodedWidth = FrameSize.Even(width);
        EncodedHeight = FrameSize.Even(height);
        _timeBase = new AVRational(1, options.FramesPerSecond);

        try
        {
            OpenEncoder(options);
            AllocateFrames();
        }
        catch
        {
            Release();
            throw;
        }
    }

    // A session dropped without Dispose would otherwise leak the encoder state (megabytes per camera).
    ~H264Session() => Release();

    /// <summary>Width of the frames given to <see cref="Encode"/>.</summary>
    public int Width { get; }

    /// <summary>Height of the frames given to <see cref="Encode"/>.</summary>
    public int Height { get; }

    /// <summary>Width of the H.264 stream: <see cref="Width"/> rounded up to even.</summary>
    public int EncodedWidth { get; }

    /// <summary>Height of the H.264 stream: <see cref="Height"/> rounded up to even.</summary>
    public int EncodedHeight { get; }

    /// <summary>Frames encoded so far (one packet each).</summary>
    public long FramesEncoded { get; private set; }

    /// <summary>
    /// Roughly how much native memory one open session holds (x264's picture buffers and tables,
    /// FFmpeg's frame and contexts) for frames of this size with the default preset, so an encoder
    /// pool can bound how many cameras it takes: about 8.9 MB at 640×480, 51 MB at 1920×1080.
    /// Measured, not computed: see the constants' comment.
    /// </summary>
    public static long EstimatedNativeBytes(int width, int height)
    {
        FrameSize.Validate(width, height);
        var pixels = (long)FrameSize.Even(width) * FrameSize.Even(height);
        return MeasuredFixedBytes + (pixels * MeasuredBytesPerPixel);
    }

    /// <summary>
    /// Converts and encodes one frame and returns its packet. <paramref name="bgrPixels"/> must hold
    /// <see cref="Width"/> × <see cref="Height"/> × 3 bytes; <paramref name="pts"/> (ticks of 1/fps, 0 or
    /// more) must be greater than the previous frame's, and a gap between the two stays a pause in the
    /// clip. <paramref name="forceKeyframe"/> makes this frame an IDR (a cycle starts on it); the first
    /// frame of a session always is one. Invalid input throws <see cref="MediaException"/> and leaves the
    /// session usable; a native failure throws <see cref="MediaException"/> and leaves it unusable
    /// (later calls throw too: dispose it and open a new one).
    /// </summary>
    public EncodedPacket Encode(byte[] bgrPixels, long pts, bool forceKeyframe)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            throw new MediaException("the H.264 session failed on an earlier frame; open a new session");
        }

        FrameSize.RequireLength(bgrPixels, Width, Height, "frame");
        if (pts < 0)
        {
            throw new MediaException($"pts must be 0 or more, was {pts}");
        }

        if (pts <= _lastPts)
        {
            throw new MediaException($"pts must increase: {pts} follows {_lastPts}");
        }

        try
        {
            var packet = EncodeFrame(bgrPixels, pts, forceKeyframe || FramesEncoded == 0);
            _lastPts = pts;
            FramesEncoded++;
            return packet;
        }
        catch
        {
            // The encoder may hold the frame or a packet now; its next output could belong to the wrong frame.
            _failed = true;
            throw;
        }
    }

    /// <summary>Frees the encoder, the frame, the packet and the converter.</summary>
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

    private EncodedPacket EncodeFrame(byte[] bgrPixels, long pts, bool keyframe)
    {
        // The encoder may still reference the previous picture; this copies only then.
        FfmpegErrors.Check(av_frame_make_writable(_frame), "av_frame_make_writable");
        var data = (byte**)Field<nint>(_frame, Layout.FrameData);
        var linesize = Field<int>(_frame, Layout.FrameLinesize);

        CopyToEvenBgr(bgrPixels);
        var rows = sws_scale(
            _scaler, (byte**)Field<nint>(_bgr, Layout.FrameData), Field<int>(_bgr, Layout.FrameLinesize),
            0, EncodedHeight, data, linesize);
        if (rows <= 0)
        {
            throw new MediaException($"sws_scale converted no rows of a {EncodedWidth}x{EncodedHeight} frame");
        }

        *Field<long>(_frame, Layout.FramePts) = pts;
        // With forced-idr=1, libx264 turns an I request into an IDR; NONE lets x264 follow its GOP.
        *Field<int>(_frame, Layout.FramePictType) = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
        FfmpegErrors.Check(avcodec_send_frame(_codec, _frame), "avcodec_send_frame");

        var received = avcodec_receive_packet(_codec, _packet);
        if (received == AVERROR_EAGAIN)
        {
            throw new MediaException(
                $"the encoder delayed a packet (frame {FramesEncoded}, pts {pts}): libx264 is not running zero-latency");
        }

        FfmpegErrors.Check(received, "avcodec_receive_packet");
        try
        {
            var packetPts = *Field<long>(_packet, Layout.PacketPts);
            if (packetPts != pts)
            {
                throw new MediaException($"the encoder returned the packet of pts {packetPts} for the frame of pts {pts}");
            }

            var size = *Field<int>(_packet, Layout.PacketSize);
            var bytes = *Field<nint>(_packet, Layout.PacketData);
            if (size <= 0 || bytes == 0)
            {
                throw new MediaException($"the encoder returned an empty packet for pts {pts}");
            }

            var copy = new ReadOnlySpan<byte>((void*)bytes, size).ToArray();
            var isKey = (*Field<int>(_packet, Layout.PacketFlags) & AV_PKT_FLAG_KEY) != 0;
            if (keyframe && !isKey)
            {
                throw new MediaException($"the encoder ignored a forced keyframe at pts {pts}");
            }

            return new EncodedPacket(copy, pts, isKey);
        }
        finally
        {
            av_packet_unref(_packet);
        }
    }

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
        // Deliberately no "flags=+global_header": SPS/PPS then go in-band on every IDR.
        SetOption("video_size", string.Create(CultureInfo.InvariantCulture, $"{EncodedWidth}x{EncodedHeight}"));
        SetOption("pixel_format", "yuv420p");
        // time_base 1/fps is also the frame rate: FFmpeg 5.1 has no "framerate" AVOption, and libx264
        // takes its fps from time_base (den / (num * ticks_per_frame), ticks_per_frame being 1) when
        // AVCodecContext.framerate is unset, so x264's rate control and VUI timing see fps either way.
        FfmpegErrors.Check(av_opt_set_q(_codec, "time_base", _timeBase, 0), "setting time_base");
        SetInt("threads", 1);
        SetInt("g", options.EffectiveKeyint);
        // 0 turns x264's scene-cut detection off: no extra keyframes, a GOP is exactly keyint frames.
        // (In FFmpeg 5.1 sc_threshold is a libx264 private option, hence the child search.)
        // keyint_min is left to x264 (keyint/10, clamped); without scene cuts it has no effect.
        SetInt("sc_threshold", 0, AV_OPT_SEARCH_CHILDREN);
        SetOption("preset", options.Preset, AV_OPT_SEARCH_CHILDREN);
        SetOption("tune", "zerolatency", AV_OPT_SEARCH_CHILDREN);
        SetInt("forced-idr", 1, AV_OPT_SEARCH_CHILDREN);
        FfmpegErrors.Check(av_opt_set_double(_codec, "crf", options.Crf, AV_OPT_SEARCH_CHILDREN), "setting crf");

        var opened = avcodec_open2(_codec, codec, null);
        if (opened < 0)
        {
            throw new MediaException(
                $"libx264 rejected {EncodedWidth}x{EncodedHeight} at {options.FramesPerSecond} fps, preset '{options.Preset}', " +
                $"crf {options.Crf}, keyint {options.EffectiveKeyint}: {FfmpegErrors.Describe(opened)}");
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

    private void SetInt(string name, long value, int searchFlags = 0)
    {
        var result = av_opt_set_int(_codec, name, value, searchFlags);
        if (result < 0)
        {
            throw new MediaException($"setting encoder option {name}={value} failed: {FfmpegErrors.Describe(result)}");
        }
    }

    private void AllocateFrames()
    {
        _frame = av_frame_alloc();
        _bgr = av_frame_alloc();
        _packet = av_packet_alloc();
        if (_frame is null || _bgr is null || _packet is null)
        {
            throw new MediaException("out of memory allocating an AVFrame or AVPacket");
        }

        *Field<int>(_frame, Layout.FrameWidth) = EncodedWidth;
        *Field<int>(_frame, Layout.FrameHeight) = EncodedHeight;
        *Field<int>(_frame, Layout.FrameFormat) = AV_PIX_FMT_YUV420P;
        FfmpegErrors.Check(av_frame_get_buffer(_frame, 0), "av_frame_get_buffer");

        // libswscale reads its source from an FFmpeg-allocated frame (aligned rows, padded end), not
        // from the caller's tightly packed array: its SIMD code works in whole vectors, which went
        // wrong on the output side for rows that are not a multiple of the vector size (H264Decoder)
        // and may read past the end of a managed array. The frame is also where an odd frame is
        // padded to even, rather than converted at its odd size: libswscale would then sample chroma
        // on a 641→321 grid, slightly off the luma positions, which costs several dB at colour edges.
        // The copy costs well under a millisecond at 640x480; the encode costs several.
        *Field<int>(_bgr, Layout.FrameWidth) = EncodedWidth;
        *Field<int>(_bgr, Layout.FrameHeight) = EncodedHeight;
        *Field<int>(_bgr, Layout.FrameFormat) = AV_PIX_FMT_BGR24;
        FfmpegErrors.Check(av_frame_get_buffer(_bgr, 0), "av_frame_get_buffer");

        // Same size in and out: libswscale only converts colour and subsamples chroma.
        _scaler = sws_getContext(
            EncodedWidth, EncodedHeight, AV_PIX_FMT_BGR24, EncodedWidth, EncodedHeight, AV_PIX_FMT_YUV420P,
            SWS_BICUBIC, null, null, null);
        if (_scaler is null)
        {
            throw new MediaException($"sws_getContext cannot convert {EncodedWidth}x{EncodedHeight} BGR24 to yuv420p");
        }
    }

    // Copies the frame into the even-sized native BGR frame, repeating its last column and row.
    private void CopyToEvenBgr(byte[] pixels)
    {
        var destination = (byte*)*Field<nint>(_bgr, Layout.FrameData);
        var destinationStride = *Field<int>(_bgr, Layout.FrameLinesize);
        var sourceStride = Width * 3;
        for (var y = 0; y < Height; y++)
        {
            var row = new Span<byte>(destination + ((long)y * destinationStride), EncodedWidth * 3);
            pixels.AsSpan(y * sourceStride, sourceStride).CopyTo(row);
            if (EncodedWidth != Width)
            {
                row.Slice(sourceStride - 3, 3).CopyTo(row[sourceStride..]);
            }
        }

        if (EncodedHeight != Height)
        {
            new ReadOnlySpan<byte>(destination + ((long)(Height - 1) * destinationStride), EncodedWidth * 3)
                .CopyTo(new Span<byte>(destination + ((long)Height * destinationStride), EncodedWidth * 3));
        }
    }

    private void Release()
    {
        if (_scaler is not null)
        {
            sws_freeContext(_scaler);
            _scaler = null;
        }

        FreeFrame(ref _frame);
        FreeFrame(ref _bgr);
        FreePacket(ref _packet);
        FreeCodecContext(ref _codec);
    }
}
