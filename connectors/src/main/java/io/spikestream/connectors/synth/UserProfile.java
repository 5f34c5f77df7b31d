package io.spikestream.connectors.synth;

import java.util.SplittableRandom;

/**
 * One synthetic person: body size and position in the 128×128 view, how fast and how wide they
 * move, what they wear, and a personal style for each gesture. Drawn from the seed and the user
 * number only, so a user looks and moves the same under every lighting, and held-out users differ
 * from the training users in all of these at once.
 *
 * @param user the user number (1-based, as in {@code userNN})
 * @param scale body size relative to the nominal body (arm lengths, thicknesses, shoulder width)
 * @param centerX x of the body's midline in pixels
 * @param shoulderY y of the shoulders in pixels (y grows downwards)
 * @param speed tempo factor: gesture cycles last {@code nominal / speed}
 * @param amplitude factor on the extent of every movement
 * @param shirtReflectance reflectance of the shirt and sleeves
 * @param skinReflectance reflectance of hands and bare forearms
 * @param longSleeves whether the forearms are covered by the sleeve
 * @param circleAspect height/width of the arm circles
 * @param circleTilt rotation of the arm circles in radians
 * @param waveSpan half-angle of the hand wave in radians
 * @param wristFlex habitual bend of the wrist in radians
 * @param handsHeight vertical offset of clapping, rolling and drumming hands in pixels
 */
public record UserProfile(
        int user,
        double scale,
        double centerX,
        double shoulderY,
        double speed,
        double amplitude,
        double shirtReflectance,
        double skinReflectance,
        boolean longSleeves,
        double circleAspect,
        double circleTilt,
        double waveSpan,
        double wristFlex,
        double handsHeight) {

    /** The user numbered {@code user} of the population drawn from {@code seed}. */
    public static UserProfile of(long seed, int user) {
        if (user < 1 || user > 999) {
            throw new IllegalArgumentException("user " + user + " outside 1..999");
        }
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, 1, user));
        // Nominal size fills the view like the real recordings: head near the top, hands leaving the frame.
        double scale = r.nextDouble(1.1, 1.4);
        // Clothes are either clearly darker or clearly brighter than the wall, as a camera operator
        // would ask for; the contrast sign still varies between users (ON/OFF edges swap).
        double shirt = r.nextBoolean() ? r.nextDouble(0.08, 0.22) : r.nextDouble(0.72, 0.92);
        return new UserProfile(
                user,
                scale,
                64 + r.nextDouble(-7, 7),
                74 + r.nextDouble(-5, 5),
                r.nextDouble(0.75, 1.3),
                r.nextDouble(0.8, 1.2),
                shirt,
                r.nextDouble(0.6, 0.85),
                r.nextDouble() < 0.5,
                r.nextDouble(0.8, 1.2),
                r.nextDouble(-0.35, 0.35),
                r.nextDouble(0.45, 0.75),
                r.nextDouble(-0.3, 0.3),
                r.nextDouble(-5, 5));
    }
}
