using static Registrator.Media.FfmpegNative;

namespace Registrator.Media;

/// <summary>
/// Writes already-encoded H.264 packets into an MP4 file with libavformat, without decoding or
/// re-encoding: registration costs a file write, not an encode. One instance is one file.
/// </summary>
/// <remarks>
/// The stream's codec parameters are the packets' own: H.264, yuv420p, the encoded (even) size, and
/// the SPS/PPS of the first keyframe as Annex-B extradata, which the MP4 muxer turns into the avcC box
/// (it also rewrites the Annex-B packets to the length-prefixed form MP4 stores). Time stamps are the
/// packets' own in ticks of 1/fps, moved so the clip starts at 0; each sample lasts until the next
/// packet (the last one tick), so a capture pause stays a pause. The moov box goes before the media
/// data (movflags=+faststart) so a browser can start playing before the whole file has loaded.
/// </remarks>
internal sealed unsafe class Mp4PacketMuxer : IDisposable
{
    private readonly AVRational _packetTimeBase;
    private readonly int _width;
    private readonly int _height;
    private AVRational _streamTimeBase;
    private void* _format;
    private void* _stream;
    private void* _packet;
    private bool _disposed;

    private Mp4PacketMuxer(int encodedWidth, int encodedHeight, int framesPerSecond)
    {
        _width = encodedWidth;
        _height = encodedHeight;
        _packetTimeBase = new AVRational(1, framesPerSecond);
    }

    ~Mp4PacketMuxer() => Release();

    /// <summary>
    /// Writes <paramref name="packets"/> (validated by the caller: a keyframe first, pts increasing) as
    /// the complete MP4 file <paramref name="path"/> (always MP4, whatever the extension, so a
    /// temporary name works). Throws <see cref="MediaException"/> on a muxer or file error and
    /// <see cref="OperationCanceledException"/> between packets; a failed file is left for the caller
    /// to delete.
    /// </summary>
    public static void Write(
        string path, int encodedWidth, int encodedHeight, int framesPerSecond,
        IReadOnlyList<EncodedPacket> packets, CancellationToken cancellationToken)
    {
        using var muxer = new Mp4PacketMuxer(encodedWidth, encodedHeight, framesPerSecond);
        muxer.Open(path, AnnexB.ParameterSets(packets[0].Data), framesPerSecond);

        // Each packet is written when its successor is seen, because its duration is the gap to it.
        var origin = packets[0].Pts;
        EncodedPacket? previous = null;
        foreach (var packet in packets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (previous is not null)
            {
                muxer.WritePacket(previous, previous.Pts - origin, packet.Pts - previous.Pts);
            }

            previous = packet;
        }

        muxer.WritePacket(previous!, previous!.Pts - origin, 1);
        muxer.Finish();
    }

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

    private void Open(string path, byte[] parameterSets, int framesPerSecond)
    {
        FfmpegRuntime.EnsureAvailable();
        var fullPath = Path.GetFullPath(path);
        // "file:" stops libavformat from reading a colon in the path as a protocol name.
        var url = "file:" + fullPath;
        void* format = null;
        FfmpegErrors.Check(avformat_alloc_output_context2(&format, null, "mp4", url), "avformat_alloc_output_context2");
        _format = format;

        _packet = av_packet_alloc();
        if (_packet is null)
        {
            throw new MediaException("out of memory allocating an AVPacket");
        }

        _stream = avformat_new_stream(_format, null);
        if (_stream is null)
        {
            throw new MediaException("avformat_new_stream returned no stream");
        }

        var parameters = (void*)*Field<nint>(_stream, Layout.StreamCodecpar);
        VerifyLayout(parameters);
        *Field<int>(parameters, Layout.CodecparCodecType) = AVMEDIA_TYPE_VIDEO;
        *Field<int>(parameters, Layout.CodecparCodecId) = AV_CODEC_ID_H264;
        *Field<int>(parameters, Layout.CodecparFormat) = AV_PIX_FMT_YUV420P;
        *Field<int>(parameters, Layout.CodecparWidth) = _width;
        *Field<int>(parameters, Layout.CodecparHeight) = _height;

        // av_mallocz'd with zeroed padding, as FFmpeg requires of extradata; the format context frees it.
        var extradata = (byte*)av_mallocz((nuint)(parameterSets.Length + AV_INPUT_BUFFER_PADDING_SIZE));
        if (extradata is null)
        {
            throw new MediaException("out of memory allocating the codec extradata");
        }

        parameterSets.CopyTo(new Span<byte>(extradata, parameterSets.Length));
        *Field<nint>(parameters, Layout.CodecparExtradata) = (nint)extradata;
        *Field<int>(parameters, Layout.CodecparExtradataSize) = parameterSets.Length;

        // The muxer derives the MP4 timescale from the stream time base (1/fps → 10240 for 10 fps)
        // and may replace it in avformat_write_header, so it is read back below.
        *Field<AVRational>(_stream, Layout.StreamTimeBase) = _packetTimeBase;
        *Field<AVRational>(_stream, Layout.StreamAvgFrameRate) = new AVRational(framesPerSecond, 1);

        var opened = avio_open((void**)Field<nint>(_format, Layout.FormatContextPb), url, AVIO_FLAG_WRITE);
        if (opened < 0)
        {
            throw new MediaException($"cannot create '{fullPath}': {FfmpegErrors.Describe(opened)}");
        }

        void* options = null;
        try
        {
            FfmpegErrors.Check(av_dict_set(&options, "movflags", "+faststart", 0), "av_dict_set");
            FfmpegErrors.Check(avformat_write_header(_format, &options), "avformat_write_header");
            // The muxer removes the options it used; one left over was not applied.
            if (av_dict_count(options) != 0)
            {
                throw new MediaException("the MP4 muxer did not accept movflags=+faststart");
            }
        }
        finally
        {
            av_dict_free(&options);
        }

        _streamTimeBase = *Field<AVRational>(_stream, Layout.StreamTimeBase);
        if (_streamTimeBase.Num <= 0 || _streamTimeBase.Den <= 0)
        {
            throw new MediaException($"MP4 muxer chose an invalid time base {_streamTimeBase.Num}/{_streamTimeBase.Den}");
        }
    }

    // Every offset in FfmpegNative.Layout comes from the 5.1 headers; the major-version check makes a
    // mismatch unlikely, and this catches the rest (a patched or differently configured build) before
    // a wrong offset is ever written to: a new stream's parameters are FFmpeg's documented blank ones.
    private void VerifyLayout(void* parameters)
    {
        var streamCount = *Field<uint>(_format, Layout.FormatContextNbStreams);
        var streams = *Field<nint>(_format, Layout.FormatContextStreams);
        var layoutMatches =
            streamCount == 1
            && streams != 0
            && *(nint*)streams == (nint)_stream
            && *Field<int>(_stream, Layout.StreamIndex) == 0
            && parameters is not null
            && *Field<int>(parameters, Layout.CodecparCodecType) == AVMEDIA_TYPE_UNKNOWN
            && *Field<int>(parameters, Layout.CodecparCodecId) == 0
            && *Field<int>(parameters, Layout.CodecparFormat) == -1
            && *Field<nint>(parameters, Layout.CodecparExtradata) == 0
            && *Field<int>(parameters, Layout.CodecparExtradataSize) == 0
            && *Field<int>(parameters, Layout.CodecparWidth) == 0
            && *Field<int>(parameters, Layout.CodecparHeight) == 0;
        if (!layoutMatches)
        {
            throw new MediaException(
                $"FFmpeg struct layout differs from the one FfmpegNative was written for ({FfmpegRuntime.Describe()}); refusing to write");
        }
    }

    private void WritePacket(EncodedPacket source, long pts, long duration)
    {
        FfmpegErrors.Check(av_new_packet(_packet, source.Data.Length), "av_new_packet");
        source.Data.CopyTo(new Span<byte>((void*)*Field<nint>(_packet, Layout.PacketData), source.Data.Length));
        *Field<long>(_packet, Layout.PacketPts) = pts;
        *Field<long>(_packet, Layout.PacketDts) = pts; // no B-frames: decode order is presentation order
        *Field<long>(_packet, Layout.PacketDuration) = duration;
        *Field<int>(_packet, Layout.PacketFlags) = source.IsKeyframe ? AV_PKT_FLAG_KEY : 0;
        *Field<int>(_packet, Layout.PacketStreamIndex) = 0;
        av_packet_rescale_ts(_packet, _packetTimeBase, _streamTimeBase);
        // Takes ownership of the packet's data and leaves the packet blank for the next one; on an
        // error the packet may keep its data, which the next av_new_packet would leak, so unref it.
        var written = av_interleaved_write_frame(_format, _packet);
        if (written < 0)
        {
            av_packet_unref(_packet);
            FfmpegErrors.Check(written, $"writing the packet of pts {source.Pts}");
        }
    }

    private void Finish()
    {
        FfmpegErrors.Check(av_write_trailer(_format), "av_write_trailer");
        FfmpegErrors.Check(avio_closep((void**)Field<nint>(_format, Layout.FormatContextPb)), "avio_closep");
    }

    private void Release()
    {
        FreePacket(ref _packet);

        if (_format is not null)
        {
            // Closes a file still open after a failure; a no-op after Finish, which closed it.
            _ = avio_closep((void**)Field<nint>(_format, Layout.FormatContextPb));
            // Also frees the stream's codec parameters and their extradata.
            avformat_free_context(_format);
            _format = null;
            _stream = null;
        }
    }
}
