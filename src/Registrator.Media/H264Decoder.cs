using static Registrator.Media.FfmpegNative;

namespace Registrator.Media;

/// <summary>
/// FFmpeg's native H.264 decoder, single-threaded, used to recover one picture from buffered packets:
/// a task keeps only packets, so the keyframe JPEG of an event is decoded back from its GOP when the
/// caller no longer holds the raw frame. Decoding a GOP prefix at 640×480 takes a few milliseconds.
/// </summary>
public sealed unsafe class H264Decoder : IDisposable
{
    private readonly int _width;
    private readonly int _height;
    private void* _codec;
    private void* _packet;
    private void* _received;
    private void* _last;
    private bool _hasPicture;
    private bool _disposed;

    /// <summary>Opens a decoder for a stream made from <paramref name="width"/> × <paramref name="height"/> frames.</summary>
    internal H264Decoder(int width, int height)
    {
        FrameSize.Validate(width, height);
        FfmpegRuntime.EnsureAvailable();
        _width = width;
        _height = height;
        try
        {
            Open();
        }
        catch
        {
            Release();
            throw;
        }
    }

    // The decoder holds its reference pictures natively (megabytes); a dropped instance must not leak them.
    ~H264Decoder() => Release();

    /// <summary>
    /// Decodes <paramref name="packets"/> (which must start with a keyframe, as a GOP does) and returns
    /// the last picture as tightly packed BGR24 of <paramref name="width"/> × <paramref name="height"/>:
    /// the size of the frames the session encoded, so an odd-sized camera's even-padded picture is
    /// cropped back. Throws <see cref="MediaException"/> when the packets do not decode to such a picture.
    /// </summary>
    public static byte[] DecodeLastPicture(IReadOnlyList<EncodedPacket> packets, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (packets.Count == 0)
        {
            throw new MediaException("no packets to decode");
        }

        if (packets[0] is not { IsKeyframe: true })
        {
            throw new MediaException("decoding must start at a keyframe, but the first packet is not one");
        }

        using var decoder = new H264Decoder(width, height);
        foreach (var packet in packets)
        {
            decoder.Send(packet ?? throw new MediaException("a packet to decode is null"));
        }

        return decoder.Finish();
    }

    /// <summary>Frees the decoder and its pictures.</summary>
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

    private void Open()
    {
        var codec = avcodec_find_decoder(AV_CODEC_ID_H264);
        if (codec is null)
        {
            throw new MediaException("FFmpeg's h264 decoder not found");
        }

        _codec = avcodec_alloc_context3(codec);
        if (_codec is null)
        {
            throw new MediaException("avcodec_alloc_context3 returned no context");
        }

        // One thread: frame threading would add a picture of delay and a thread set per call,
        // for a few frames decoded once per event.
        FfmpegErrors.Check(av_opt_set_int(_codec, "threads", 1, 0), "setting decoder threads");
        FfmpegErrors.Check(avcodec_open2(_codec, codec, null), "opening the h264 decoder");

        _packet = av_packet_alloc();
        _received = av_frame_alloc();
        _last = av_frame_alloc();
        if (_packet is null || _received is null || _last is null)
        {
            throw new MediaException("out of memory allocating an AVPacket or AVFrame");
        }
    }

    private void Send(EncodedPacket packet)
    {
        if (packet.Data is not { Length: > 0 } data)
        {
            throw new MediaException($"the packet of pts {packet.Pts} is empty");
        }

        // av_new_packet adds the zeroed padding the bitstream reader may read past the end.
        FfmpegErrors.Check(av_new_packet(_packet, data.Length), "av_new_packet");
        try
        {
            data.CopyTo(new Span<byte>((void*)*Field<nint>(_packet, Layout.PacketData), data.Length));
            *Field<long>(_packet, Layout.PacketPts) = packet.Pts;
            *Field<long>(_packet, Layout.PacketDts) = packet.Pts;
            *Field<int>(_packet, Layout.PacketFlags) = packet.IsKeyframe ? AV_PKT_FLAG_KEY : 0;

            var sent = avcodec_send_packet(_codec, _packet);
            if (sent == AVERROR_EAGAIN)
            {
                // The decoder's output queue is full: take what it has, then it accepts the packet.
                Drain();
                sent = avcodec_send_packet(_codec, _packet);
            }

            FfmpegErrors.Check(sent, $"decoding the packet of pts {packet.Pts}");
        }
        finally
        {
            av_packet_unref(_packet);
        }

        Drain();
    }

    private byte[] Finish()
    {
        FfmpegErrors.Check(avcodec_send_packet(_codec, null), "flushing the h264 decoder");
        Drain();
        if (!_hasPicture)
        {
            throw new MediaException("the packets decoded to no picture");
        }

        return ToBgr(_last);
    }

    // Receives every picture the decoder has ready, keeping only the newest.
    private void Drain()
    {
        while (true)
        {
            var received = avcodec_receive_frame(_codec, _received);
            if (received is AVERROR_EAGAIN or AVERROR_EOF)
            {
                return;
            }

            FfmpegErrors.Check(received, "avcodec_receive_frame");
            av_frame_unref(_last);
            av_frame_move_ref(_last, _received);
            _hasPicture = true;
        }
    }

    private byte[] ToBgr(void* picture)
    {
        var pictureWidth = *Field<int>(picture, Layout.FrameWidth);
        var pictureHeight = *Field<int>(picture, Layout.FrameHeight);
        var format = *Field<int>(picture, Layout.FrameFormat);
        var expectedWidth = FrameSize.Even(_width);
        var expectedHeight = FrameSize.Even(_height);
        if (pictureWidth != expectedWidth || pictureHeight != expectedHeight)
        {
            throw new MediaException(
                $"the packets decoded to a {pictureWidth}x{pictureHeight} picture, expected {expectedWidth}x{expectedHeight} " +
                $"(the stream of {_width}x{_height} frames)");
        }

        var scaler = sws_getContext(
            pictureWidth, pictureHeight, format, pictureWidth, pictureHeight, AV_PIX_FMT_BGR24,
            SWS_BICUBIC, null, null, null);
        if (scaler is null)
        {
            throw new MediaException($"sws_getContext cannot convert a {pictureWidth}x{pictureHeight} picture of format {format} to BGR24");
        }

        var bgr = av_frame_alloc();
        try
        {
            if (bgr is null)
            {
                throw new MediaException("out of memory allocating an AVFrame");
            }

            // libswscale writes into an FFmpeg-allocated frame (aligned, padded rows) as the ffmpeg CLI
            // does: straight into a tightly packed array, its SIMD BGR24 output came out wrong for widths
            // whose row is not a multiple of the vector size (642×480 decoded at 27 dB instead of 39).
            *Field<int>(bgr, Layout.FrameWidth) = pictureWidth;
            *Field<int>(bgr, Layout.FrameHeight) = pictureHeight;
            *Field<int>(bgr, Layout.FrameFormat) = AV_PIX_FMT_BGR24;
            FfmpegErrors.Check(av_frame_get_buffer(bgr, 0), "av_frame_get_buffer");
            var rows = sws_scale(
                scaler, (byte**)Field<nint>(picture, Layout.FrameData), Field<int>(picture, Layout.FrameLinesize),
                0, pictureHeight, (byte**)Field<nint>(bgr, Layout.FrameData), Field<int>(bgr, Layout.FrameLinesize));
            if (rows <= 0)
            {
                throw new MediaException($"sws_scale converted no rows of a {pictureWidth}x{pictureHeight} picture");
            }

            // Tightly packed and cropped to the original size: the padded column and row are dropped.
            var source = (byte*)*Field<nint>(bgr, Layout.FrameData);
            var sourceStride = *Field<int>(bgr, Layout.FrameLinesize);
            var stride = _width * 3;
            var pixels = new byte[stride * _height];
            for (var y = 0; y < _height; y++)
            {
                new ReadOnlySpan<byte>(source + ((long)y * sourceStride), stride).CopyTo(pixels.AsSpan(y * stride, stride));
            }

            return pixels;
        }
        finally
        {
            av_frame_free(&bgr);
            sws_freeContext(scaler);
        }
    }

    private void Release()
    {
        FreeFrame(ref _received);
        FreeFrame(ref _last);
        FreePacket(ref _packet);
        FreeCodecContext(ref _codec);
    }
}
