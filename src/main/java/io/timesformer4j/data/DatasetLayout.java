package io.timesformer4j.data;

/**
 * How a dataset is laid out on disk. {@link #AUTO} picks one from what {@code --data} points at
 * (see {@code docs/data.md}):
 * <ul>
 *   <li>a {@code .csv} file whose header starts {@code label,youtube_id,time_start,time_end} → {@link #KINETICS_CSV};</li>
 *   <li>any other {@code .csv} file, or a {@code .txt} file whose lines contain a comma → {@link #CSV};</li>
 *   <li>a {@code .txt} file with whitespace-separated lines → {@link #UCF101_LIST};</li>
 *   <li>a folder with sub-folders holding videos or frame folders → {@link #CLASS_FOLDERS};</li>
 *   <li>a folder holding videos (or frame folders) directly → {@link #FLAT_PREFIX}.</li>
 * </ul>
 */
public enum DatasetLayout {
    AUTO,
    /** {@code root/<class>/<video>.mp4} or {@code root/<class>/<clip>/frame0001.png}. */
    CLASS_FOLDERS,
    /**
     * {@code root/<class>_<number>.mp4}: the label is the file name before its trailing {@code _<digits>}
     * ({@code jumping_jacks_0001.mp4} → {@code jumping_jacks}); other names are reported and skipped.
     */
    FLAT_PREFIX,
    /** Lines {@code path,label}; header optional; paths relative to the list's folder (or the video root). */
    CSV,
    /** Kinetics annotation CSV {@code label,youtube_id,time_start,time_end,split}. */
    KINETICS_CSV,
    /** UCF101 list: {@code Class/v_Class_g08_c01.avi 1} with {@code classInd.txt}, or testlist lines without labels. */
    UCF101_LIST
}
