#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the PNG, mask and JSON seed corpora under corpus/ (the JPEG seeds
come from make-jpeg-seeds.c). Deterministic; rerun after changing it.
Hostile seeds are named bad-*."""
import base64
import json
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')
SAMPLES = os.path.join(HERE, '..', 'files', 'protocol-samples')
# Nesting depth of the deep-JSON seeds: deep enough to overflow a parser
# that recurses without a limit under ASan or valgrind, small enough to
# replay quickly. (json-glib 1.6 itself has no depth limit: 100000 levels
# overflow its parser's stack; see known-crashes/.)
DEPTH = 5000


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def chunk(kind, body, crc=None):
    if crc is None:
        crc = zlib.crc32(kind + body)
    return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', crc)


def png(width, height, color_type, bit_depth, rows, interlace=0,
        extra=b'', ihdr_crc=None):
    """rows: raw filtered scanlines (each starting with its filter byte)."""
    ihdr = struct.pack('>IIBBBBB', width, height, bit_depth, color_type, 0,
                       0, interlace)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr, ihdr_crc) + extra +
            chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))


def scanlines(width, height, bytes_per_pixel, pattern=lambda x, y, c: x ^ y):
    out = b''
    for y in range(height):
        out += bytes([y % 5])       # cycle through the five filter types
        out += bytes(pattern(x, y, c) & 0xff
                     for x in range(width) for c in range(bytes_per_pixel))
    return out


def png_seeds():
    pal = chunk(b'PLTE', bytes([0, 0, 0, 255, 255, 255, 255, 0, 0]))
    trns = chunk(b'tRNS', bytes([0]))
    seeds = {
        'gray-1x1.png': png(1, 1, 0, 8, b'\0\x80'),
        'gray-33x17.png': png(33, 17, 0, 8, scanlines(33, 17, 1)),
        'rgb-8x8.png': png(8, 8, 2, 8, scanlines(8, 8, 3)),
        'rgba-5x3.png': png(5, 3, 6, 8, scanlines(5, 3, 4)),
        'gray-alpha-4x4.png': png(4, 4, 4, 8, scanlines(4, 4, 2)),
        'rgb16-3x2.png': png(3, 2, 2, 16, scanlines(3, 2, 6)),
        'gray16-3x3.png': png(3, 3, 0, 16, scanlines(3, 3, 2)),
        'palette-trns-6x4.png': png(6, 4, 3, 8,
                                    scanlines(6, 4, 1, lambda x, y, c: (x + y) % 3),
                                    extra=pal + trns),
        'palette-1bit-9x2.png': png(9, 2, 3, 1, b'\0\xaa\x80\0\x55\x00',
                                    extra=pal),
        'gray2-trns-4x1.png': png(4, 1, 0, 2, b'\0\x1b',
                                  extra=chunk(b'tRNS', b'\0\x02')),
        'rgb-trns-2x2.png': png(2, 2, 2, 8, scanlines(2, 2, 3),
                                extra=chunk(b'tRNS', b'\0\0\0\0\0\0')),
        'interlaced-rgba-9x7.png': png(9, 7, 6, 8, b''.join(
            b'\0' * 1 for _ in range(0)) + adam7_rows(9, 7, 4), interlace=1),
        'text-chunks.png': png(2, 2, 0, 8, scanlines(2, 2, 1),
                               extra=chunk(b'tEXt', b'Comment\0hello') +
                               chunk(b'zTXt', b'Title\0\0' + zlib.compress(b'x' * 100))),
    }
    good = seeds['rgb-8x8.png']
    seeds.update({
        'bad-truncated.png': good[:len(good) // 2],
        'bad-signature-only.png': good[:8],
        'bad-ihdr-crc.png': png(8, 8, 2, 8, scanlines(8, 8, 3), ihdr_crc=0),
        'bad-huge-side.png': png(20000, 1, 0, 8, b'\0' * 20001),
        'bad-too-many-pixels.png': png(16384, 16384, 0, 8, b'\0\0'),
        'bad-zero-width.png': png(0, 4, 0, 8, b'\0'),
        'bad-depth.png': png(2, 2, 2, 4, scanlines(2, 2, 3)),
        'bad-palette-missing.png': png(2, 2, 3, 8, scanlines(2, 2, 1)),
        'bad-palette-index.png': png(2, 2, 3, 8, b'\0\x09\x09\0\x09\x09',
                                     extra=pal),
        'bad-short-idat.png': png(64, 64, 2, 8, scanlines(4, 4, 3)),
        'bad-chunk-length.png': good[:33] + struct.pack('>I', 0x7fffffff) +
        b'iCCP' + good[41:],
        'bad-no-idat.png': b'\x89PNG\r\n\x1a\n' + good[8:33] +
        chunk(b'IEND', b''),
    })
    for name, data in seeds.items():
        write('png', name, data)
    return seeds


def adam7_rows(width, height, bpp):
    """Raw data of an Adam7-interlaced image: each pass's scanlines."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
              (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    out = b''
    for x0, y0, dx, dy in passes:
        cols = len(range(x0, width, dx))
        for y in range(y0, height, dy):
            if cols == 0:
                continue
            out += b'\0' + bytes(((x * 31 + y * 17 + c * 5) & 0xff)
                                 for x in range(x0, width, dx)
                                 for c in range(bpp))
    return out


def mask_seeds(pngs):
    def z(p):
        return b'z' + p
    gray_mask = png(3, 3, 0, 8, b'\0\xff\xff\x00\0\xff\xff\xff\0\x00\xff\xff')
    write('mask', 'doc-example.txt', b'b' + b'eJzrDPBz5+WS4mJgYOD19HAJAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298aN/CwKD5iO1X7OUtbSA1nq5+LuucEpoAPpATug==')
    write('mask', 'gray.bin', z(gray_mask))
    write('mask', 'palette-trns.bin', z(pngs['palette-trns-6x4.png']))
    write('mask', 'gray-alpha.bin', z(pngs['gray-alpha-4x4.png']))
    write('mask', 'rgba.bin', z(pngs['rgba-5x3.png']))
    write('mask', 'rgb.bin', z(pngs['rgb-8x8.png']))
    write('mask', 'interlaced.bin', z(pngs['interlaced-rgba-9x7.png']))
    write('mask', 'uncompressed.bin', b'r' + gray_mask)
    write('mask', 'b64-of-zlib.txt', b'b' + base64.b64encode(zlib.compress(gray_mask)))
    write('mask', 'bad-b64.txt', b'b' + b'eJzr!!!not base64@@==')
    write('mask', 'bad-empty.txt', b'b')
    write('mask', 'bad-zlib-of-text.bin', z(b'this is not a png at all'))
    write('mask', 'bad-huge.bin', z(pngs['bad-too-many-pixels.png']))
    write('mask', 'bad-truncated-zlib.txt', b'b' + base64.b64encode(zlib.compress(gray_mask)[:20]))
    write('mask', 'bad-gzip.txt', b'b' + base64.b64encode(b'\x1f\x8b\x08\0\0\0\0\0' + gray_mask))


def response_body(sample):
    with open(os.path.join(SAMPLES, sample + '.txt'), 'rb') as f:
        lines = f.read().split(b'\n')
    for i, line in enumerate(lines):
        if line.startswith(b'--- response body'):
            return lines[i + 1]
    raise KeyError(sample)


def deep(depth, open_='[', close=']'):
    return open_ * depth + close * depth


def annotation_seeds():
    for s in ['inference_image', 'inference_image_conf07',
              'inference_image_classes_filter', 'get_inference_result']:
        write('annotation', s + '.json', response_body(s))
    batch = json.loads(response_body('inference_batch'))
    write('annotation', 'batch-item.json', json.dumps(batch[0]))
    mask = 'eJzrDPBz5+WS4mJgYOD19HAJAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298aN/CwKD5iO1X7OUtbSA1nq5+LuucEpoAPpATug=='
    objects = [
        {"classTitle": "road", "geometryType": "polygon", "shape": "polygon",
         "points": {"exterior": [[0, 700], [640, 420], [1279, 700]],
                    "interior": [[[600, 650], [680, 650], [640, 600]]]}},
        {"classTitle": "lane", "geometryType": "line", "points":
         {"exterior": [[10, 710], [400, 500], [620, 430]], "interior": []}},
        {"classTitle": "ball", "geometryType": "point",
         "points": {"exterior": [[512, 300]], "interior": []}},
        {"classTitle": "person", "geometryType": "graph", "nodes": {
            "nose": {"loc": [640, 200]},
            "right_eye": {"loc": [650, 190], "disabled": True}}},
        {"classTitle": "car", "geometryType": "bitmap",
         "tags": [{"name": "confidence", "value": 0.77}],
         "bitmap": {"origin": [312, 188], "data": mask}},
        {"classTitle": "glass", "geometryType": "alpha_mask",
         "bitmap": {"origin": [0, 0], "data": mask}},
        {"classTitle": "box", "geometryType": "oriented_bbox",
         "points": [[10, 10], [50, 30]], "angle": 0.5},
        {"classTitle": "islands", "geometryType": "multipolygon", "parts": [
            {"exterior": [[0, 0], [10, 0], [10, 10]], "interior": []},
            {"exterior": [[20, 20], [30, 20], [30, 30]],
             "interior": [[[22, 22], [28, 22], [28, 28]]]}]},
        {"classTitle": "cube", "geometryType": "cuboid_3d", "vertices": []},
    ]
    all_types = {"description": "", "size": {"height": 720, "width": 1280},
                 "tags": [], "objects": objects,
                 "customBigData": {"track_ids": [1, 2, 3]}}
    write('annotation', 'all-types.json', json.dumps(all_types))
    write('annotation', 'wrapped-annotation-json.json',
          json.dumps({"annotation_json": all_types}))
    write('annotation', 'null-annotation.json', '{"annotation": null}')
    bad = {
        'bad-deep-arrays.json': deep(DEPTH),
        'bad-deep-objects.json': '{"a":' * DEPTH + '1' + '}' * DEPTH,
        'bad-deep-in-points.json': json.dumps({"size": {"height": 1, "width": 1},
                                               "objects": [{"classTitle": "x", "geometryType": "polygon",
                                                            "points": {"exterior": "X"}}]}).replace('"X"', deep(5000)),
        'bad-objects-number.json': '{"size":{"height":1,"width":1},"objects":5}',
        'bad-size-string.json': '{"size":"big","objects":[]}',
        'bad-size-negative.json': '{"size":{"height":-5,"width":2147483648},"objects":[]}',
        'bad-point-strings.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"rectangle","points":{"exterior":[["1","2"],[3,4]],"interior":[]}}]}',
        'bad-rect-one-point.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"rectangle","points":{"exterior":[[1,2]],"interior":[]}}]}',
        'bad-huge-coords.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"polygon","points":{"exterior":[[1e308,-1e308],[9007199254740993,3],[4,5]],"interior":[]}}]}',
        'bad-class-null.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":null,"geometryType":"point","points":{"exterior":[[1,1]],"interior":[]}}]}',
        'bad-bitmap-b64.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"bitmap","bitmap":{"origin":[0,0],"data":"!!!"}}]}',
        'bad-bitmap-origin.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"bitmap","bitmap":{"origin":"x","data":"%s"}}]}' % mask,
        'bad-bitmap-huge-origin.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"bitmap","bitmap":{"origin":[2147483647,2147483647],"data":"%s"}}]}' % mask,
        'bad-tags-object.json': '{"size":{"height":9,"width":9},"tags":{"a":1},"objects":[]}',
        'bad-tag-no-name.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","tags":[{"value":1}],"geometryType":"point","points":{"exterior":[[1,1]],"interior":[]}}]}',
        'bad-track-ids.json': '{"size":{"height":9,"width":9},"objects":[],"customBigData":{"track_ids":["a",null,1e400]}}',
        'bad-graph-nodes.json': '{"size":{"height":9,"width":9},"objects":[{"classTitle":"a","geometryType":"graph","nodes":{"n":{"loc":[1]}}}]}',
        'bad-truncated.json': json.dumps(all_types)[:500],
        'bad-not-json.json': 'annotation: yes',
        'bad-nul-inside.json': '{"size":{"height":9,\0"width":9},"objects":[]}',
        'bad-top-array.json': '[1,2,3]',
        'bad-utf8.json': b'{"description":"\xff\xfe","size":{"height":9,"width":9},"objects":[]}',
    }
    for name, data in bad.items():
        write('annotation', name, data)


def meta_seeds():
    write('project-meta', 'classes-and-tags.json',
          response_body('get_output_classes_and_tags'))
    old = {"classes": [{"title": "ball", "shape": "bitmap", "color": "#FF0000"},
                       {"title": "kp", "shape": "graph", "color": "#00FF00",
                        "geometry_config": {"nodes": {"0": {"label": "nose", "loc": [0, 0]}}}}],
           "tags_images": [{"name": "weather", "value_type": "oneof_string",
                            "values": ["sun", "rain"], "color": "#0000FF"}],
           "tags_objects": [{"name": "confidence", "value_type": "any_number"}]}
    write('project-meta', 'old-tags.json', json.dumps(old))
    write('project-meta', 'empty.json', '{}')
    bad = {
        'bad-deep.json': deep(DEPTH),
        'bad-classes-string.json': '{"classes":"ball"}',
        'bad-class-number.json': '{"classes":[1,2]}',
        'bad-title-missing.json': '{"classes":[{"shape":"rectangle","color":"#FFFFFF"}]}',
        'bad-color.json': '{"classes":[{"title":"a","shape":"rectangle","color":"#GGHHII"}]}',
        'bad-color-short.json': '{"classes":[{"title":"a","shape":"rectangle","color":"#F"}]}',
        'bad-shape.json': '{"classes":[{"title":"a","shape":42,"color":"#FFFFFF"}]}',
        'bad-duplicate.json': '{"classes":[{"title":"a","shape":"rectangle"},{"title":"a","shape":"polygon"}]}',
        'bad-tags-object.json': '{"classes":[],"tags":{"name":"x"}}',
        'bad-tag-values.json': '{"classes":[],"tags":[{"name":"x","value_type":"oneof_string","values":[1,null]}]}',
        'bad-truncated.json': response_body('get_output_classes_and_tags')[:120],
        'bad-null.json': 'null',
    }
    for name, data in bad.items():
        write('project-meta', name, data)


def video_seeds():
    doc = {
        "size": {"height": 720, "width": 1280}, "description": "",
        "key": "3f2a0c9d8e7b4a61b5c4d3e2f1a09876", "tags": [
            {"name": "day", "key": "aa", "frameRange": [0, 10]}],
        "objects": [
            {"key": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "classTitle": "person", "tags": []},
            {"key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "classTitle": "car", "tags": []}],
        "frames": [
            {"index": 0, "figures": [
                {"key": "5c6d7e8f90a1b2c3d4e5f60718293a4b",
                 "objectKey": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                 "geometryType": "rectangle",
                 "geometry": {"points": {"exterior": [[100, 40], [219, 399]], "interior": []}},
                 "nnCreated": True, "nnUpdated": True, "trackId": "1"},
                {"key": "6c6d7e8f90a1b2c3d4e5f60718293a4b",
                 "objectKey": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                 "geometryType": "bitmap",
                 "geometry": {"bitmap": {"origin": [5, 6], "data": "eJzrDPBz5+WS4mJgYOD19HAJAtLMIMwBJBiKnV8lAykBTxfHkIo5yT/+z298aN/CwKD5iO1X7OUtbSA1nq5+LuucEpoAPpATug=="}}}]},
            {"index": 1, "figures": []}],
        "framesCount": 300}
    text = json.dumps(doc)
    write('video-annotation', 'doc-example.json', text)
    minimal = {"size": {"height": 2, "width": 2}, "objects": [], "frames": [],
               "framesCount": 0}
    write('video-annotation', 'minimal.json', json.dumps(minimal))
    bad = {
        'bad-deep.json': '{"frames":' + deep(DEPTH) + '}',
        'bad-index-past-end.json': text.replace('"index": 1', '"index": 301'),
        'bad-index-negative.json': text.replace('"index": 1', '"index": -1'),
        'bad-unknown-object.json': text.replace('"objectKey": "a1b2', '"objectKey": "ffff'),
        'bad-duplicate-key.json': text.replace('"key": "0f1e2d3c', '"key": "a1b2c3d4'),
        'bad-frames-object.json': text.replace('"frames": [', '"frames": {"x": [').replace(', "framesCount"', '}, "framesCount"'),
        'bad-figures-string.json': text.replace('"figures": []', '"figures": "none"'),
        'bad-frames-count-string.json': text.replace('"framesCount": 300', '"framesCount": "300"'),
        'bad-frames-count-huge.json': text.replace('"framesCount": 300', '"framesCount": 1e300'),
        'bad-geometry-missing.json': text.replace('"geometry": {"points"', '"geometri": {"points"'),
        'bad-truncated.json': text[:400],
        'bad-size-missing.json': text.replace('"size"', '"sise"'),
    }
    for name, data in bad.items():
        write('video-annotation', name, data)


def image_seeds(pngs):
    for name in ['rgba-5x3.png', 'gray-alpha-4x4.png', 'palette-trns-6x4.png',
                 'bad-truncated.png', 'rgb16-3x2.png']:
        write('image', name, pngs[name])
    write('image', 'bad-bmp.bin', b'BM' + b'\0' * 60)
    write('image', 'bad-gif.bin', b'GIF89a' + b'\0' * 20)
    write('image', 'bad-jpeg-magic-only.bin', b'\xff\xd8\xff')
    write('image', 'bad-empty.bin', b'')


def sample_status(sample):
    with open(os.path.join(SAMPLES, sample + '.txt'), 'rb') as f:
        for line in f:
            if line.startswith(b'--- HTTP status:'):
                return int(line.split()[3])
    raise KeyError(sample)


def sample_names():
    return sorted(n[:-4] for n in os.listdir(SAMPLES) if n.endswith('.txt')
                  and n != 'README.md')


def error_text_seeds():
    """2 bytes of HTTP status, then the body."""
    def seed(status, body):
        if isinstance(body, str):
            body = body.encode()
        return struct.pack('>H', status) + body
    for name in sample_names():
        if name.startswith('err_'):
            write('error-text', name + '.bin',
                  seed(sample_status(name), response_body(name)))
    seeds = {
        'detail-message.bin': seed(500, '{"detail":{"message":"model crashed"}}'),
        'detail-string.bin': seed(400, '{"detail":"bad"}'),
        'bare-string.bin': seed(502, '"upstream down"'),
        'empty-502.bin': seed(502, ''),
        'empty-status-0.bin': seed(0, ''),
        'bad-unknown-status.bin': seed(999, ''),
        'bad-control-chars.bin': seed(500, 'line1\nline2\t\x1b[31mred\x7f'),
        'bad-long.bin': seed(500, 'x' * 2000),
        'bad-long-multibyte.bin': seed(500, '\u00e9' * 500),
        'bad-long-message.bin': seed(500, json.dumps({"message": "\u4e2d" * 300})),
        'bad-invalid-utf8.bin': seed(500, b'\xff\xfe\xc3(\xe2\x82'),
        'bad-nul.bin': seed(500, b'abc\0def'),
        'bad-only-blanks.bin': seed(503, '  \n\t \r\n'),
        'bad-message-blank.bin': seed(500, '{"message":" \\n\\u0001 "}'),
        'bad-message-number.bin': seed(500, '{"message":42,"detail":[]}'),
        'bad-detail-list.bin': seed(422, '{"detail":[1,{"msg":7}]}'),
        'bad-deep.bin': seed(500, deep(DEPTH)),
        'bad-nul-escape.bin': seed(500, '{"message":"a\\u0000b"}'),
    }
    for name, data in seeds.items():
        write('error-text', name, data)


def settings_yaml_seeds():
    answer = json.loads(response_body('get_custom_inference_settings'))
    write('settings-yaml', 'sample-conf.yaml', answer['settings'])
    write('settings-yaml', 'all-scalars.yaml', '\n'.join([
        '# defaults', '---', 'conf: 0.25', 'iou: .45', 'img_size: 640',
        'half: no', 'augment: On', 'agnostic: false', 'device: ~',
        'weights: null', 'name: "yolo v8"', "mode: 'fast'", 'plain: some text',
        'classes: [person, "car", 3, 1.5, true]', 'empty: []',
        'block:', '  nested: 1', '  deeper:', '    - a', 'after: 2', '...']))
    write('settings-yaml', 'crlf.yaml', 'conf: 0.5\r\nmax_det: 100\r\n')
    # what libyaml reads (rejected by the line parser before it)
    good = {
        'indented-top.yaml': '  conf: 1',
        'nested-list.yaml': 'x: [[1, 2], {a: 1}]',
        'huge-numbers.yaml': 'conf: 1e999\nn: 99999999999999999999999\nm: -1e308\no: -1e-400\np: 1.0e+999',
        'hex-inf-nan.yaml': 'n: 0x1F\nm: .inf\no: .nan\np: 0b1_0\nq: 017\nr: 1:30\ns: 1:30.5',
        'duplicate.yaml': 'conf: 1\nconf: 2',
        'flow-map.yaml': 'x: {a: 1}',
        'anchor.yaml': 'a: &x 1\nb: *x',
        'sliding-window.yaml': '\n'.join([
            'conf: 0.25', 'sliding_window_params:', '  enable: on',
            '  window:', '    height: 640', '    width: 640',
            '  overlap: {x: 32, y: 32}', '  merge:', '    iou: 0.5',
            '    classes: [person, car]', 'after: 1.5']),
        'list-of-maps.yaml': '\n'.join([
            'aug:', '  - name: resize', '    size: [640, 480]',
            '  - {name: flip, p: 0.5}', '  -', '    name: crop',
            '    box:', '      - [0, 0]', '      - [10, 20]']),
        'merge.yaml': 'base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n'
                      'e:\n  <<: [*b, {z: 1}]\n',
        'tags.yaml': 'a: !!str 12\nb: !!int "7"\nc: !!float 1e3\n'
                     'd: !!bool YES\ne: !!null x\nf: ! 5\ng: !!seq [1]\n',
        'block-scalars.yaml': 'a: |\n  x\n  y\nb: >-\n  f\n  g\n'
                              'c: "\\u00e9\\t"\nd: \'it\'\'s\'\n',
        'keys.yaml': '1: a\n2.5: b\n~: c\ntrue: d\n"q": e\n',
    }
    for name, data in good.items():
        write('settings-yaml', name, data)
    bad = {
        'bad-top-list.yaml': '- a\n- b',
        'bad-no-colon.yaml': 'conf 0.5',
        'bad-empty-key.yaml': ': 5',
        'bad-unclosed-list.yaml': 'classes: [a, b',
        'bad-unclosed-quote.yaml': 'name: "abc',
        'bad-utf8.yaml': b'name: \xff\xfe\nconf: 1',
        'bad-nul.yaml': b'conf: 1\0garbage: [',
        'bad-long-line.yaml': 'k: ' + '[' * 3000,
        'bad-deep-flow-map.yaml': 'k: ' + '{a: ' * 100 + '}' * 100,
        'bad-deep-block.yaml': ''.join(
            ' ' * i + 'k%d:\n' % i for i in range(80)) + ' ' * 80 + 'v: 1\n',
        'bad-alias-bomb.yaml': 'l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n' +
            ''.join('l%d: &l%d [%s]\n' % (i, i, ', '.join(
                ['*l%d' % (i - 1)] * 10)) for i in range(1, 12)),
        'bad-alias-deep.yaml': 'a: &d ' + '[' * 60 + ']' * 60 +
            '\nb: ' + '[' * 20 + '*d' + ']' * 20,
        'bad-alias-undefined.yaml': 'a: *nowhere\nb: &x [*x]',
        'bad-two-documents.yaml': 'a: 1\n---\nb: 2\n',
        'bad-tag.yaml': 'a: !!python/object:os.system x\nb: !!set {x}',
        'bad-merge.yaml': '<<: [1]\n',
        'bad-int-tag.yaml': 'a: !!int x\nb: 0x_\n',
        'bad-nul-escape.yaml': 'a: "x\\0y"\n',
    }
    for name, data in bad.items():
        write('settings-yaml', name, data)
    # written back as invalid JSON until sly_json_to_string() (c844051)
    write('settings-yaml', 'double-1e308-writes-1e+308.0.yaml',
          'm: -1e308\n')
    write('settings-yaml', 'int-overflow-1e20-writes-1e+20.0.yaml',
          'n: 100000000000000000000\n')


def inference_settings_seeds():
    seeds = {
        'conf-iou.json': '{"conf": 0.5, "iou": 0.4, "max_det": 100}',
        'classes.json': '{"classes": ["ball"], "img_size": 640}',
        'nested.json': '{"sliding_window": {"mode": "basic", "size": [640, 640]}}',
        'empty.json': '{}',
        'bad-array.json': '[1, 2]',
        'bad-string.json': '"conf"',
        'bad-null.json': 'null',
        'bad-truncated.json': '{"conf": 0.5, "iou',
        'bad-deep.json': '{"a":' + deep(DEPTH) + '}',
        'bad-huge-number.json': '{"iou": 1e999}',
        'bad-nul.json': b'{"conf": 0.5\0, "x": 1}',
        'bad-utf8.json': b'{"name": "\xff\xfe"}',
        'bad-duplicate.json': '{"conf": 1, "conf": "x"}',
    }
    for name, data in seeds.items():
        write('inference-settings', name, data)


def dotenv_seeds():
    seeds = {
        'platform.env': 'SERVER_ADDRESS="https://app.supervisely.com"\n'
                        'API_TOKEN=abc123\n',
        'all-forms.env': '# comment\nexport SERVER_ADDRESS = app.example.com/ \n'
                         "API_TOKEN='single # not a comment'\n"
                         'X="esc \\" \\\\ \\n end"\nY=plain # comment\n'
                         'SUPERVISELY_API_SERVER_ADDRESS=http://10.0.0.1:8080/public/api\n',
        'bad-no-equals.env': 'JUST_A_WORD\n=value\n  = \n',
        'bad-quotes.env': 'A="unterminated\nB=\'\nC="\\\nD=""\n',
        'bad-blank-lines.env': '\n\r\n\t\n   \n',
        'bad-crlf.env': 'SERVER_ADDRESS=//host//\r\nAPI_TOKEN=t\r\n',
        'bad-utf8.env': b'K=\xff\xfe\nL\xc3=1\n',
        'bad-nul.env': b'K=v\0SERVER_ADDRESS=x\n',
        'bad-export-only.env': 'export \nexport=1\nexport  K=2\n',
        'bad-slashes.env': 'SERVER_ADDRESS=/////\nA=http://\n',
    }
    for name, data in seeds.items():
        write('dotenv', name, data)


def inference_answer_seeds():
    for name in ['inference_image', 'inference_image_conf07',
                 'inference_image_classes_filter', 'inference_batch',
                 'inference_image_settings_field', 'get_inference_result']:
        write('inference-answer', name + '.json', response_body(name))
    pop = json.loads(response_body('pop_inference_results'))
    write('inference-answer', 'pop-pending-results.json',
          json.dumps(pop['pending_results']))
    one = json.loads(response_body('inference_image'))
    bad = {
        'bad-null.json': 'null',
        'bad-empty.json': '',
        'bad-number.json': '42',
        'bad-no-annotation.json': '{"source": null}',
        'bad-annotation-string.json': '{"annotation": "x"}',
        'bad-array-of-junk.json': '[1, "a", null, {}, []]',
        'bad-truncated.json': response_body('inference_batch')[:300],
        'bad-deep.json': deep(DEPTH),
        'bad-html.json': '<html><body>502 Bad Gateway</body></html>',
        'bad-utf8.json': b'{"annotation": {"description": "\xff"}}',
        'bad-size-negative.json': json.dumps(one).replace('"height": 240', '"height": -240'),
    }
    for name, data in bad.items():
        write('inference-answer', name, data)


def session_record_seeds():
    for name in ['pop_inference_results', 'get_inference_progress',
                 'err_async_inference_exception_pop']:
        write('session-record', name + '.json', response_body(name))
    pop = json.loads(response_body('pop_inference_results'))
    legacy = {k: v for k, v in pop.items() if k != 'finished'}
    seeds = {
        # section 10: no "finished", the end is is_inferring turning false
        'legacy-inferring.json': json.dumps(dict(legacy, is_inferring=True)),
        'legacy-done.json': json.dumps(dict(legacy, is_inferring=False,
                                            pending_results=[])),
        'legacy-exception-string.json':
            '{"exception": "CUDA out of memory", "is_inferring": false}',
        'exception-no-type.json': '{"exception": {"message": 7}}',
        'bad-not-object.json': '[{"finished": true}]',
        'bad-flags.json': '{"finished": "yes", "is_inferring": 1, '
                          '"pending_results": {"0": null}}',
        'bad-pending-junk.json': '{"pending_results": [null, 1, "a", {}, []], '
                                 '"finished": false}',
        'bad-deep.json': '{"pending_results": ' + deep(DEPTH) + '}',
    }
    for name, data in seeds.items():
        write('session-record', name, data)


def tracker_config_seeds():
    botsort = json.loads(response_body('get_tracking_settings'))['botsort']
    write('tracker-config', 'server-defaults.json', json.dumps(botsort))
    seeds = {
        'empty.json': '{}',
        'empty-text.json': '',
        'overrides.json': '{"track_high_thresh": 0.3, "track_buffer": 5, '
                          '"cmc_method": "none", "with_reid": false, "mot20": true, '
                          '"device": "cpu", "fps": 25, "new_key": [1]}',
        'extremes.json': '{"track_high_thresh": 0, "track_low_thresh": 1, '
                         '"new_track_thresh": 0, "match_thresh": 1, '
                         '"track_buffer": 0, "min_box_area": 0}',
        'big-buffer.json': '{"track_buffer": 1000000, "match_thresh": 0}',
        'bad-negative.json': '{"track_buffer": -1}',
        'bad-too-big.json': '{"track_buffer": 1000001}',
        'bad-string-number.json': '{"track_high_thresh": "0.5"}',
        'bad-cmc.json': '{"cmc_method": "magic"}',
        'bad-bool-number.json': '{"with_reid": 1}',
        'bad-array.json': '[{"track_buffer": 3}]',
        'bad-huge.json': '{"match_thresh": 1e999}',
        'bad-fraction-int.json': '{"track_buffer": 2.5}',
        'bad-deep.json': '{"x":' + deep(DEPTH) + '}',
        'bad-truncated.json': json.dumps(botsort)[:60],
        'bad-nul.json': b'{"track_buffer": 3\0}',
    }
    for name, data in seeds.items():
        write('tracker-config', name, data)


def tracker_seeds():
    """See fuzz-tracker.c for the layout."""
    def det(x, y, w, h, score, cls=0):
        return struct.pack('>HHhhBB', (x % 8000) * 8, (y % 8000) * 8, w * 8, h * 8, score, cls)

    def frames(header, n, step):
        out = bytes(header)
        for f in range(n):
            out += bytes([3]) + det(10 + step * f, 20, 50, 80, 230) + \
                det(400 - step * f, 300, 60, 80, 200, 1) + det(200, 200, 40, 30, 60)
            if f % 4 == 3:
                out += b'\x80'
        return out
    default = [153, 25, 178, 204, 30, 0]
    write('tracker', 'three-objects.bin', frames(default, 12, 8))
    write('tracker', 'fast-motion.bin', frames(default, 12, 90))
    write('tracker', 'mot20-short-buffer.bin', frames([153, 25, 178, 204, 1, 1], 10, 4))
    warp = bytes([0xff, 2, 0, 5, 0, 1, 250])
    write('tracker', 'camera-motion.bin', frames(default, 3, 8) + warp + frames([], 3, 8))
    hostile = bytes(default)
    hostile += bytes([6]) + det(10, 10, 20, 20, 251) + det(10, 10, 20, 20, 252) + \
        det(10, 10, 20, 20, 253) + det(10, 10, 20, 20, 254) + \
        det(10, 10, 20, 20, 255) + det(10, 10, -20, -20, 250)
    hostile += bytes([2]) + struct.pack('>HHhhBB', 80, 80, -32768, 80, 250, 0) + \
        struct.pack('>HHhhBB', 80, 80, 80, -32768, 250, 0)
    write('tracker', 'bad-non-finite.bin', hostile)
    crowd = bytes(default)
    for f in range(3):
        crowd += bytes([127]) + b''.join(
            det((i % 16) * 30, (i // 16) * 30, 25, 25, 200, i) for i in range(127))
    write('tracker', 'bad-crowd.bin', crowd)
    same = bytes([0, 0, 0, 0, 255, 0]) + (bytes([20]) + det(5, 5, 0, 0, 250) * 20) * 4
    write('tracker', 'bad-zero-size-same-place.bin', same)
    write('tracker', 'bad-thresholds-all-max.bin', frames([255] * 6, 6, 8))
    write('tracker', 'bad-predict-only.bin', bytes(default) + b'\x80' * 40)
    write('tracker', 'bad-short.bin', bytes(default[:3]))


def multipart(parts, boundary='XyZbOuNdArY'):
    out = b''
    for headers, body in parts:
        out += b'--' + boundary.encode() + b'\r\n'
        for h in headers:
            out += h.encode() + b'\r\n'
        out += b'\r\n' + (body.encode() if isinstance(body, str) else body) + b'\r\n'
    return out + b'--' + boundary.encode() + b'--\r\n'


def server_request_seeds():
    png_1x1 = png(1, 1, 0, 8, b'\0\x80')
    files = 'Content-Disposition: form-data; name="files"; filename="%s"'
    state = ('Content-Disposition: form-data; name="state"',)
    settings = ('Content-Disposition: form-data; name="settings"',)
    st = '{"settings": {"conf": 0.3}}'
    seeds = {
        'inference-image.txt': multipart([((files % 'a.png', 'Content-Type: image/png'), png_1x1), (state, st)]),
        'inference-batch.txt': multipart([((files % 'a.png', 'Content-Type: image/png'), png_1x1),
                                          ((files % 'b.png', 'Content-Type: image/png'), png_1x1), (state, st)]),
        'legacy-settings.txt': multipart([((files % 'a.png',), png_1x1), (settings, st)]),
        'empty-state-then-settings.txt': multipart([((files % 'a.png',), png_1x1), (state, ' {} '), (settings, st)]),
        'quoted-boundary.txt': multipart([(state, st)], boundary='a b"c'),
        'envelope.json': '{"state": {"inference_request_uuid": "c9838b37377151a494cb2e8206015e17"}}',
        'envelope-empty.json': '{}',
        'envelope-state-null.json': '{"state": null}',
        'bad-state-array.txt': multipart([((files % 'a.png',), png_1x1), (state, '[1,2]')]),
        'bad-state-truncated.txt': multipart([((files % 'a.png',), png_1x1), (state, '{"settings": {"conf": 0.3')]),
        'bad-state-deep.txt': multipart([(state, '{"a":' + deep(DEPTH) + '}')]),
        'bad-no-end.txt': multipart([(state, st)])[:-20],
        'bad-no-disposition.txt': multipart([(('Content-Type: text/plain',), 'x'), (state, st)]),
        'bad-disposition-junk.txt': multipart([(('Content-Disposition: ;;;="',), 'x'),
                                               (('Content-Disposition: form-data; name=files; filename',), '')]),
        'bad-headers-only.txt': b'--XyZbOuNdArY\r\nContent-Disposition: form-data; name="state"\r\n',
        'bad-boundary-only.txt': b'--\r\n----\r\n',
        'bad-lf-only.txt': multipart([(state, st)]).replace(b'\r\n', b'\n'),
        'bad-nul-in-state.txt': multipart([(state, b'{"a":1}\0{"b":')]),
        # libsoup 3.2.3 gave these parts a length of -2 (found by libFuzzer;
        # slyrequest.c reads them as empty)
        'bad-empty-part-no-blank-line.txt':
            b'--B\r\nContent-Disposition: form-data; name="files"; '
            b'filename="a.png"\r\n\r\n--B\r\nContent-Disposition: form-data; '
            b'name="state"\r\n\r\n--B--\r\n',
        'bad-envelope-state-string.json': '{"state": "x"}',
        'bad-envelope-array.json': '[{"state": {}}]',
        'bad-envelope-deep.json': '{"state":' + deep(DEPTH) + '}',
        'bad-envelope-huge-number.json': '{"state": {"batch_size": 1e999}}',
        'bad-envelope-utf8.json': b'{"state": {"a": "\xff"}}',
    }
    for name, data in seeds.items():
        write('server-request', name, data)


def main():
    pngs = png_seeds()
    mask_seeds(pngs)
    annotation_seeds()
    meta_seeds()
    video_seeds()
    image_seeds(pngs)
    error_text_seeds()
    settings_yaml_seeds()
    inference_settings_seeds()
    dotenv_seeds()
    inference_answer_seeds()
    session_record_seeds()
    tracker_config_seeds()
    tracker_seeds()
    server_request_seeds()
    return 0


if __name__ == '__main__':
    sys.exit(main())
