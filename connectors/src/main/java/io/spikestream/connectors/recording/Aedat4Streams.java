package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The stream list of an AEDAT 4.0 IOHeader's {@code infoNode} XML, read with the JDK's XML parser:
 * one {@code <node name="ID" path=".../ID/">} per output stream, with its {@code typeIdentifier}
 * attribute (EVTS for polarity events) and, in its {@code info} child node, the sensor size
 * {@code sizeX}/{@code sizeY}. The parser refuses DTDs and external entities: the XML comes from
 * the file being read.
 */
record Aedat4Streams(List<Stream> streams) {
    record Stream(int id, String type, Optional<SensorGeometry> geometry) {}

    /**
     * Parses the infoNode XML.
     *
     * @throws IllegalArgumentException for XML that is not well-formed or an impossible size
     */
    static Aedat4Streams parse(String xml) {
        Element root;
        try {
            root = builder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
        } catch (SAXException | IOException e) {
            throw new IllegalArgumentException("malformed infoNode XML: " + e.getMessage(), e);
        }
        List<Stream> out = new ArrayList<>();
        collect(root, out);
        return new Aedat4Streams(List.copyOf(out));
    }

    /** Every {@code node} whose name is a number and whose path ends with that number is a stream. */
    private static void collect(Element parent, List<Stream> out) {
        for (Element node : children(parent, "node")) {
            String name = node.getAttribute("name");
            if (name.matches("\\d{1,9}") && node.getAttribute("path").endsWith("/" + name + "/")) {
                String type = attr(node, "typeIdentifier").orElse("");
                Optional<SensorGeometry> g = Optional.empty();
                for (Element info : children(node, "node")) {
                    if (info.getAttribute("name").equals("info")) {
                        Optional<String> x = attr(info, "sizeX");
                        Optional<String> y = attr(info, "sizeY");
                        if (x.isPresent() && y.isPresent()) {
                            g = Optional.of(new SensorGeometry(size(x.get()), size(y.get())));
                        }
                    }
                }
                out.add(new Stream(Integer.parseInt(name), type, g));
            } else {
                collect(node, out);
            }
        }
    }

    private static int size(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sensor size '" + s + "' is not an integer");
        }
    }

    /** The text of the child {@code <attr key="KEY">}, if any. */
    private static Optional<String> attr(Element node, String key) {
        for (Element a : children(node, "attr")) {
            if (a.getAttribute("key").equals(key)) {
                return Optional.of(a.getTextContent());
            }
        }
        return Optional.empty();
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element e && e.getTagName().equals(tag)) {
                out.add(e);
            }
        }
        return out;
    }

    private static DocumentBuilder builder() {
        try {
            // the JDK's own parser: newInstance() would search the class path for another one
            DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            // the default handler prints "[Fatal Error]" to stderr before throwing: only throw
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {}

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a standard feature", e);
        }
    }

    /** The first stream of polarity events (type identifier EVTS). */
    Optional<Stream> events() {
        return streams.stream().filter(s -> s.type().equals("EVTS")).findFirst();
    }
}
