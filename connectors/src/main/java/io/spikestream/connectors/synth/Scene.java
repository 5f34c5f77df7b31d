package io.spikestream.connectors.synth;

import java.util.SplittableRandom;

/**
 * What the 128×128 sensor sees: a textured wall and the performer's torso and head, which stay
 * still, and the six arm capsules of the current pose drawn over them, anti-aliased and shaded
 * like cylinders. Returns log intensity, the quantity a DVS pixel responds to.
 *
 * <p>When the recording is {@linkplain RecordingPlan#backLit() back-lit} the arms' log contrast
 * against what lies behind them is mirrored: an arm that would be brighter than the wall by a
 * factor k is darker by the same factor, with the same folds and shading. Every intensity change
 * the moving arms cause then has the opposite sign, and a take played backwards under one light
 * fires the same polarities, pixel by pixel, as the take played forwards under the other.
 */
final class Scene {
    static final int SIZE = 128;
    /** Photodiode dark current relative to office light: dim scenes lose log-contrast. */
    private static final double DARK = 0.03;

    private final float[] staticReflectance = new float[SIZE * SIZE];
    private final float[] illumination = new float[SIZE * SIZE];
    /** Log intensity of the still scene, the level a back-lit arm's contrast is mirrored about. */
    private final float[] stillLog = new float[SIZE * SIZE];
    private final boolean backLit;
    private final double[] segmentReflectance = new double[Choreography.SEGMENTS];
    private final double[] textureAmplitude = new double[Choreography.SEGMENTS];
    private final double[] textureFrequency = new double[Choreography.SEGMENTS];
    private final double[] texturePhase = new double[Choreography.SEGMENTS];

    Scene(RecordingPlan plan, Choreography body) {
        UserProfile u = plan.user();
        Lighting light = plan.lighting();
        backLit = plan.backLit();
        SplittableRandom r = new SplittableRandom(Seeds.derive(plan.seed(), 3, light.seedKey()));
        double wall = r.nextDouble(0.32, 0.48);
        int waves = 6;
        double[] wave = new double[waves * 4];
        for (int k = 0; k < waves; k++) {
            double angle = r.nextDouble(0, Math.PI);
            double freq = r.nextDouble(0.02, 0.12);
            wave[4 * k] = Math.cos(angle) * freq;
            wave[4 * k + 1] = Math.sin(angle) * freq;
            wave[4 * k + 2] = r.nextDouble(0, 2 * Math.PI);
            wave[4 * k + 3] = r.nextDouble(0.015, 0.045);
        }
        // A couple of objects on the wall (a door frame, a poster) give hard background edges.
        double[][] boxes = new double[2][];
        for (int b = 0; b < boxes.length; b++) {
            double x0 = r.nextDouble(-10, 110);
            double y0 = r.nextDouble(-10, 90);
            boxes[b] = new double[] {x0, y0, x0 + r.nextDouble(12, 40), y0 + r.nextDouble(15, 60), r.nextDouble(0.15, 0.75)};
        }
        double s = u.scale();
        double cx = u.centerX();
        double sy = body.shoulderY();
        double shirt = u.shirtReflectance();
        double skin = u.skinReflectance();
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double px = x + 0.5;
                double py = y + 0.5;
                double refl = wall;
                for (int k = 0; k < waves; k++) {
                    refl += wave[4 * k + 3] * Math.sin(wave[4 * k] * px + wave[4 * k + 1] * py + wave[4 * k + 2]);
                }
                for (double[] b : boxes) {
                    double cov = Math.min(clamp01(Math.min(px - b[0], b[2] - px) + 0.5), clamp01(Math.min(py - b[1], b[3] - py) + 0.5));
                    refl += cov * (b[4] - refl);
                }
                refl = over(refl, shirt, capsuleCoverage(px, py, cx, sy + 14 * s, cx, sy + 200, 22 * s));
                refl = over(refl, shirt, capsuleCoverage(px, py, body.shoulderX(0), sy, body.shoulderX(1), sy, 7 * s));
                refl = over(refl, skin, capsuleCoverage(px, py, cx, sy - 16 * s, cx, sy, 5 * s));
                refl = over(refl, skin, capsuleCoverage(px, py, cx, sy - 27 * s, cx, sy - 25 * s, 11 * s));
                refl = over(refl, 0.12, capsuleCoverage(px, py, cx - 6 * s, sy - 35 * s, cx + 6 * s, sy - 35 * s, 6 * s));
                int i = y * SIZE + x;
                staticReflectance[i] = (float) contrast(refl, light.contrast());
                double field = 1 + light.gradient() * (1 - 2 * px / SIZE);
                illumination[i] = (float) (light.level() * field);
                stillLog[i] = (float) Math.log((double) illumination[i] * staticReflectance[i] + DARK);
            }
        }
        double forearm = u.longSleeves() ? shirt : skin;
        double[] perArm = {shirt, forearm, skin};
        // Clothes are plain or patterned per user (the same shirt under every light); skin is smooth.
        SplittableRandom cloth = new SplittableRandom(Seeds.derive(plan.seed(), 6, u.user()));
        double shirtTexture = cloth.nextDouble(0.08, 0.3);
        double shirtFrequency = 2 * Math.PI / cloth.nextDouble(4, 9);
        double shirtPhase = cloth.nextDouble(0, 4);
        boolean[] clothed = {true, u.longSleeves(), false};
        for (int k = 0; k < Choreography.SEGMENTS; k++) {
            segmentReflectance[k] = contrast(perArm[k % 3], light.contrast());
            boolean c = clothed[k % 3];
            textureAmplitude[k] = c ? shirtTexture : 0.06;
            textureFrequency[k] = c ? shirtFrequency : 2 * Math.PI / 5;
            texturePhase[k] = c ? shirtPhase : 1;
        }
    }

    /** Log intensity of pixel ({@code x}, {@code y}) with the arms in {@code pose}. */
    double logIntensity(int x, int y, double[] pose) {
        int i = y * SIZE + x;
        double px = x + 0.5;
        double py = y + 0.5;
        double refl = staticReflectance[i];
        boolean covered = false;
        for (int k = 0, o = 0; k < Choreography.SEGMENTS; k++, o += Choreography.STRIDE) {
            double r = pose[o + 4];
            double x0 = pose[o];
            double y0 = pose[o + 1];
            double x1 = pose[o + 2];
            double y1 = pose[o + 3];
            double reach = r + 0.5;
            if (px < Math.min(x0, x1) - reach || px > Math.max(x0, x1) + reach
                    || py < Math.min(y0, y1) - reach || py > Math.max(y0, y1) + reach) {
                continue;
            }
            double dx = x1 - x0;
            double dy = y1 - y0;
            double len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double ex = px - (x0 + t * dx);
            double ey = py - (y0 + t * dy);
            double dist = Math.sqrt(ex * ex + ey * ey);
            double cov = reach - dist;
            if (cov <= 0) {
                continue;
            }
            double q = Math.min(1, dist / r);
            // Round limbs: lit in the middle, darker towards the silhouette; cloth folds and
            // creases (a pattern fixed to the limb) make the inside of a moving limb fire too.
            double along = t * Math.sqrt(len2);
            double folds = 1 + textureAmplitude[k] * Math.sin(along * textureFrequency[k] + q * texturePhase[k]);
            double shaded = segmentReflectance[k] * (1.1 - 0.3 * q * q) * folds;
            refl += Math.min(1, cov) * (shaded - refl);
            covered = true;
        }
        if (!covered) {
            return stillLog[i];
        }
        double lit = Math.log(illumination[i] * refl + DARK);
        return backLit ? 2 * stillLog[i] - lit : lit;
    }

    static double distanceToSegment(double px, double py, double x0, double y0, double x1, double y1) {
        double dx = x1 - x0;
        double dy = y1 - y0;
        double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double ex = px - (x0 + t * dx);
        double ey = py - (y0 + t * dy);
        return Math.sqrt(ex * ex + ey * ey);
    }

    private static double capsuleCoverage(double px, double py, double x0, double y0, double x1, double y1, double r) {
        return clamp01(r + 0.5 - distanceToSegment(px, py, x0, y0, x1, y1));
    }

    private static double over(double under, double top, double coverage) {
        return under + coverage * (top - under);
    }

    private static double contrast(double refl, double contrast) {
        return Math.max(0.02, Math.min(0.98, 0.45 + contrast * (refl - 0.45)));
    }

    private static double clamp01(double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
}
